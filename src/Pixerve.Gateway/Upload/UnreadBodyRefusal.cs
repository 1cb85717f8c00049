namespace Pixerve.Gateway.Upload;

/// <summary>
/// A refusal of an upload whose caller was never known, sent before its body was read to the end. Kestrel would
/// otherwise read ("drain") the rest of the body for up to five seconds to keep the connection, as far as the
/// largest upload allowed: an unauthenticated client could make the gateway take a gigabyte. The answer is sent
/// with <c>Connection: close</c> and flushed; then <see cref="Filter"/>, outside every other middleware, hands
/// Kestrel a bad-request error for the request, on which Kestrel closes the connection once the answer is out
/// and skips the drain. (<c>HttpContext.Abort</c> skips it too, but may lose the answer on the way.)
/// Kestrel logs that error as the application's, one line per such refusal.
/// </summary>
public sealed class UnreadBodyRefusal(IResult refusal) : IResult
{
    private static readonly object Marker = new();

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.Connection = "close";
        await refusal.ExecuteAsync(httpContext);
        await httpContext.Response.CompleteAsync();
        httpContext.Items[Marker] = Marker;
    }

    /// <summary>Registered before any other startup filter, so its middleware is the outermost.</summary>
    public sealed class Filter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                await nextMiddleware(context);
                if (context.Items.ContainsKey(Marker))
                    throw new BadHttpRequestException("an upload refused before its caller was known: its body is left unread",
                        context.Response.StatusCode);
            });
            next(app);
        };
    }
}
