namespace Pixerve.Staging;

/// <summary>
/// The staging store cannot be reached or written right now (a volume gone, a server down or answering 5xx): a
/// transient failure, which the gateway answers with 503 and <c>Retry-After</c> and a job resumes after.
/// </summary>
public sealed class StagingUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
