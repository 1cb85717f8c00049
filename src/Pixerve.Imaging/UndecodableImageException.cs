namespace Pixerve.Imaging;

/// <summary>The source bytes are not an image this server can decode; the message is meant for the user.</summary>
public sealed class UndecodableImageException(string message) : Exception(message);
