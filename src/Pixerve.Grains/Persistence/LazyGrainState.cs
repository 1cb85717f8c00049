using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Pixerve.Grains.Persistence;

/// <summary>
/// A grain's persisted state, read on first use instead of at activation: a record that is being created (a new job,
/// the first job of new bytes) is written without reading first, a conditional write that succeeds only where no
/// record exists. That saves the read which would find nothing, on the path every upload takes before its answer.
/// Where a record does exist, the write is refused and the record is read. Same provider, state name and blob as
/// <see cref="PersistentStateAttribute"/> with that name, so records written either way read either way.
/// </summary>
public sealed class LazyGrainState<T> where T : class, new()
{
    private readonly IGrainStorage _storage;
    private readonly string _stateName;
    private readonly GrainId _grainId;
    private GrainState<T> _state = new(new T());

    public LazyGrainState(IGrainContext grain, string stateName, string storageName)
    {
        _storage = grain.ActivationServices.GetRequiredKeyedService<IGrainStorage>(storageName);
        _stateName = stateName;
        _grainId = grain.GrainId;
    }

    public T State
    {
        get => _state.State ?? throw new InvalidOperationException("the state holds no value");
        set => _state.State = value;
    }

    /// <summary>True once the stored record (or its absence) is known.</summary>
    public bool Loaded { get; private set; }

    public bool RecordExists => _state.RecordExists;

    private Task? _loading;

    /// <summary>
    /// Reads the record unless it was read or written already; true for the one call that read it (calls that
    /// interleave with it wait for the same read).
    /// </summary>
    public async Task<bool> LoadAsync()
    {
        if (Loaded) return false;
        if (_loading is { } reading)
        {
            await reading;
            return false;
        }

        _loading = ReadAsync();
        try
        {
            await _loading;
        }
        finally
        {
            _loading = null;
        }

        return true;
    }

    private async Task ReadAsync()
    {
        var read = new GrainState<T>(new T());
        await _storage.ReadStateAsync(_stateName, _grainId, read);
        // A record created meanwhile by an interleaved TryCreateAsync is newer than what this read found.
        if (Loaded) return;
        _state = read;
        Loaded = true;
    }

    /// <summary>
    /// Writes <paramref name="state"/> as a new record without reading first; false, with the stored record read, when
    /// one exists already (then nothing was written). Once loaded, writes only where the record it read does not exist.
    /// </summary>
    public async Task<bool> TryCreateAsync(T state)
    {
        if (Loaded)
        {
            if (RecordExists) return false;
            var previous = _state.State;
            _state.State = state;
            try
            {
                await _storage.WriteStateAsync(_stateName, _grainId, _state);
                return true;
            }
            catch
            {
                _state.State = previous;
                throw;
            }
        }

        var candidate = new GrainState<T>(state);
        try
        {
            await _storage.WriteStateAsync(_stateName, _grainId, candidate);
        }
        catch (InconsistentStateException)
        {
            await LoadAsync();
            return false;
        }

        _state = candidate;
        Loaded = true;
        return true;
    }

    public Task WriteStateAsync() => _storage.WriteStateAsync(_stateName, _grainId, _state);

    public Task ClearStateAsync() => _storage.ClearStateAsync(_stateName, _grainId, _state);
}
