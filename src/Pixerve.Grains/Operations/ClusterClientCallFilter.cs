using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Pixerve.GrainInterfaces;
using Pixerve.ServiceDefaults;

namespace Pixerve.Grains.Operations;

/// <summary>Refused: a cluster client called a grain method that only the silos may call.</summary>
[GenerateSerializer, Alias("pixerve.InternalGrainCallException")]
public sealed class InternalGrainCallException(string message) : Exception(message);

/// <summary>
/// Holds a cluster client (a process connected to a silo's gateway port) to what Pixerve's gateway needs: a Pixerve
/// grain answers a client only when the call carries the <see cref="ClusterClientKey"/>, and only for methods marked
/// <see cref="CallableFromGatewayAttribute"/>. Calls from grains and from a silo's own hosted client (its background
/// services) pass. Cluster TLS decides who may connect at all; this decides what a connected client may do, so a
/// client that got in still cannot read a credential, store a file or run a conversion.
/// </summary>
public sealed partial class ClusterClientCallFilter(IConfiguration configuration, ILogger<ClusterClientCallFilter> logger)
    : IIncomingGrainCallFilter
{
    private readonly string _clientKey = ClusterClientKey.Resolve(configuration);

    // A silo's hosted client (calls made outside any grain, e.g. by the queue workers) has this id prefix.
    private const string HostedClientPrefix = "hosted-";
    private static readonly System.Reflection.Assembly PixerveInterfaces = typeof(CallableFromGatewayAttribute).Assembly;

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (IsExternalClient(context.SourceId) && IsPixerve(context.InterfaceMethod) &&
            (!IsMarked(context.InterfaceMethod) || !ClusterClientKey.Matches(_clientKey, RequestContext.Get(ClusterClientKey.ContextKey))))
        {
            LogRefused(logger, context.InterfaceName, context.MethodName, context.SourceId?.ToString() ?? "");
            throw new InternalGrainCallException($"{context.InterfaceName}.{context.MethodName} is not callable from a cluster client");
        }

        return context.Invoke();
    }

    /// <summary>True for a call whose source is a client connected from outside the silos.</summary>
    public static bool IsExternalClient(GrainId? source) =>
        source is { } id && id.IsClient() && !id.Key.ToString().StartsWith(HostedClientPrefix, StringComparison.Ordinal);

    /// <summary>A Pixerve grain's method; Orleans' own grains (the dashboard's, management) keep their own rules.</summary>
    private static bool IsPixerve(System.Reflection.MethodInfo? method) => method?.DeclaringType?.Assembly == PixerveInterfaces;

    private static bool IsMarked(System.Reflection.MethodInfo? method) =>
        method?.IsDefined(typeof(CallableFromGatewayAttribute), inherit: false) == true;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a cluster client's call to {Interface}.{Method} (client {Client}): only silos may call it")]
    private static partial void LogRefused(ILogger logger, string @interface, string method, string client);
}
