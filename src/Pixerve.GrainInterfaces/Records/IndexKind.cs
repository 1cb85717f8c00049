namespace Pixerve;

[GenerateSerializer, Alias("pixerve.IndexKind")]
public enum IndexKind
{
    Success,
    Failure,
    Cancelled,
}
