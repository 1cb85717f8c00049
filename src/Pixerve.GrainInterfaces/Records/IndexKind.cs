namespace Pixerve.GrainInterfaces.Records;

[GenerateSerializer, Alias("pixerve.IndexKind")]
public enum IndexKind
{
    Success,
    Failure,
    Cancelled,
}
