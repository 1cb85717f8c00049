namespace Pixerve.Client;

/// <summary>Which part a <see cref="Fit.Cover"/> crop keeps (the spec's <c>gravity</c>).</summary>
public enum Gravity
{
    /// <summary>The middle (the server's default).</summary>
    Centre,

    /// <summary>The most salient region (libvips' smart crop).</summary>
    Attention,

    /// <summary>The most detailed region.</summary>
    Entropy,
}
