using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using StackExchange.Redis;

namespace Pixerve.Cluster.Redis;

/// <summary>
/// The Data Protection key ring as a Redis list of XML elements, one per key, in the layout of ASP.NET's own
/// <c>PersistKeysToStackExchangeRedis</c> (whose package, at the served 10.0.x versions, would lift the
/// Microsoft.Extensions pins of the whole solution): a key ring written by either reads with the other.
/// </summary>
public sealed class RedisKeyRingRepository(RedisClusterConnection connection, RedisKey key) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() =>
        connection.Database.ListRange(key).Select(value => XElement.Parse((string)value!)).ToList();

    public void StoreElement(XElement element, string friendlyName) =>
        connection.Database.ListRightPush(key, element.ToString(SaveOptions.DisableFormatting));
}
