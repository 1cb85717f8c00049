using Microsoft.Extensions.Logging;

namespace Pixerve.Cluster.Postgres;

/// <summary>
/// Before anything of the silo touches PostgreSQL (membership joins at <c>RuntimeInitialize</c>, storage and reminders
/// later): the server is reached and the schema is there, applied now if missing. A failure stops the silo's start.
/// </summary>
internal sealed class PostgresSchemaStartup(PostgresClusterStore store, ILogger<PostgresSchemaStartup> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PostgresSchemaStartup), ServiceLifecycleStage.First, async cancellationToken =>
        {
            var applied = await store.PrepareAsync(cancellationToken);
            foreach (var step in applied)
            {
                logger.LogInformation("PostgreSQL at {Database}: schema step {Version} ({Name}) {What}", store.Description, step.Version, step.Name,
                    step.FoundInPlace ? "found in place and recorded" : "applied");
            }
        });
}
