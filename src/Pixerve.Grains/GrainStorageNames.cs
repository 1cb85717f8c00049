namespace Pixerve.Grains;

public static class GrainStorageNames
{
    public const string Jobs = "jobs";
    public const string Credentials = "credentials";
}
