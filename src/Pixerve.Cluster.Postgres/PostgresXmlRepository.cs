using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Pixerve.Cluster.Postgres;

/// <summary>
/// The Data Protection key ring in a PostgreSQL table (<see cref="PostgresSchema.KeyRingTable"/>), so every silo reads
/// the same keys and decrypts what another encrypted. Keys are stored as Data Protection hands them over: encrypted by
/// the certificate when one is configured (<c>Pixerve:DataProtection</c>), otherwise in the clear. The interface is
/// synchronous; the ring is read rarely (at start and when keys roll).
/// </summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource dataSource) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var command = dataSource.CreateCommand($"SELECT xml FROM {PostgresSchema.KeyRingTable} ORDER BY stored_at, name");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        var name = string.IsNullOrWhiteSpace(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName;
        using var command = dataSource.CreateCommand(
            $"INSERT INTO {PostgresSchema.KeyRingTable} (name, xml) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET xml = excluded.xml, stored_at = now()");
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        command.Parameters.Add(new NpgsqlParameter { Value = element.ToString(SaveOptions.DisableFormatting) });
        command.ExecuteNonQuery();
    }
}
