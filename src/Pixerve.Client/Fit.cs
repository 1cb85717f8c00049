namespace Pixerve.Client;

/// <summary>How an output is made to fit its box (the spec's <c>fit</c>); nothing is upscaled in any mode.</summary>
public enum Fit
{
    /// <summary>The largest size with the source's aspect inside the box (the server's default).</summary>
    Inside,

    /// <summary>The box exactly, the overflow cropped (see <see cref="Gravity"/>).</summary>
    Cover,

    /// <summary>The box exactly, stretched.</summary>
    Fill,
}
