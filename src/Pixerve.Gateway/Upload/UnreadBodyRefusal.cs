namespace Pixerve.Gateway.Upload;

/// <summary>
/// An upload's answer sent with the rest of its body left unread: a body over the upload limit, one the drain
/// could not finish (<see cref="RefusedBodyDrain"/>), or one a client waiting on <c>Expect: 100-continue</c> was
/// never asked for. Kestrel would otherwise read ("drain") the rest of the body for up to five seconds to keep
/// the connection, as far as the largest upload allowed, past the limits the gateway just applied. The answer is
/// sent with <c>Connection: close</c> and flushed; then <see cref="Filter"/>, outside every other middleware,
/// hands Kestrel a bad-request error for the request, on which Kestrel closes the connection once the answer is
/// out and skips the drain (and, for a client still waiting to send its body, never sends it <c>100 Continue</c>).
/// (<c>HttpContext.Abort</c> skips it too, but may lose the answer on the way.) Kestrel logs that error as the
/// application's, one line per such answer.
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
                    throw new BadHttpRequestException("an upload answered with the rest of its body unread: the connection is closed",
                        context.Response.StatusCode);
            });
            next(app);
        };
    }
}
