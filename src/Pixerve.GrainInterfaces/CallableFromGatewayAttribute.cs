namespace Pixerve.GrainInterfaces;

/// <summary>
/// Marks a grain method a cluster client (the gateway) may call. Every other method of a Pixerve grain answers only
/// calls from inside the cluster's silos: a process that merely connects to a silo's gateway port must not read a
/// credential, store a file or run a conversion.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class CallableFromGatewayAttribute : Attribute;
