using Pixerve.GrainInterfaces.Jobs;

namespace Pixerve.Gateway.Upload;

/// <summary>What a job token asks for, checked: its parsed spec, the claim's JSON as sent, and its subject.</summary>
public sealed record JobClaim(JobSpec Spec, string SpecJson, string Subject);
