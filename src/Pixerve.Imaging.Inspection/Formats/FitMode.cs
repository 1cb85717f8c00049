namespace Pixerve.Imaging.Inspection.Formats;

/// <summary>How an image is made to fit a box (the job claim's <c>fit</c>).</summary>
public enum FitMode
{
    /// <summary>The largest size with the source's aspect that fits inside the box.</summary>
    Inside,

    /// <summary>The box exactly: scaled to cover it, aspect kept, the overflow cropped (see <see cref="CropGravity"/>).</summary>
    Cover,

    /// <summary>The box exactly: each side scaled on its own, the picture stretched.</summary>
    Fill,
}
