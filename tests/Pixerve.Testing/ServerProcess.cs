using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Pixerve.Testing;

/// <summary>A server process started for the test run: output kept for error messages, killed at the end.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>
    /// True once the process has exited and its output has been read to the end: the exit is seen before the last
    /// lines' events have run otherwise, and a test reading <see cref="Output"/> would miss them.
    /// </summary>
    public bool HasExited
    {
        get
        {
            if (!_process.HasExited) return false;
            _process.WaitForExit();
            return true;
        }
    }
    public int ExitCode => _process.ExitCode;
    public int Id => _process.Id;
    public string Output => string.Join('\n', _output);

    /// <summary>Starts the process and waits until it listens on every one of <paramref name="ports"/>.</summary>
    public static async Task<ServerProcess> StartAsync(string name, ProcessStartInfo start, params int[] ports)
    {
        var server = Start(name, start);
        try
        {
            await Poll.UntilAsync(() => server.HasExited || ports.All(Listening), TimeSpan.FromSeconds(30),
                $"{name} to listen on {string.Join(", ", ports)}");
            if (server.HasExited)
                throw new InvalidOperationException($"{name} exited with {server._process.ExitCode}: {server.Output}");
            return server;
        }
        catch
        {
            // A server that never came up must not outlive the test that started it.
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts a server on free ports, trying again on others if it dies or never listens: a port picked free may be
    /// taken by another test's server before this one binds it.
    /// </summary>
    public static async Task<T> StartOnFreePortsAsync<T>(int portCount, Func<int[], Task<T>> start)
    {
        for (var attempt = 1; ; attempt++)
        {
            var ports = Enumerable.Range(0, portCount).Select(_ => FreePort()).ToArray();
            try
            {
                return await start(ports);
            }
            catch (Exception e) when (attempt < 3 && e is InvalidOperationException or TimeoutException)
            {
                // Started and disposed by StartAsync already; pick other ports.
            }
        }
    }

    public static ServerProcess Start(string name, ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var server = new ServerProcess(Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start"));
        // However the test host ends (a failed fixture, a hang timeout), its servers go with it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.KillQuietly();
        return server;
    }

    private void KillQuietly()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, as when a machine dies.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM: what an orchestrator sends to stop a process gracefully.</summary>
    public void Terminate()
    {
        if (SystemKill(_process.Id, 15) != 0) throw new InvalidOperationException($"kill -TERM {_process.Id} failed");
    }

    /// <summary>SIGSTOP: the process freezes; its sockets still accept connections, nothing answers (a hung server).</summary>
    public void Pause()
    {
        if (SystemKill(_process.Id, 19) != 0) throw new InvalidOperationException($"kill -STOP {_process.Id} failed");
    }

    /// <summary>SIGCONT: a paused process runs on.</summary>
    public void Resume()
    {
        if (SystemKill(_process.Id, 18) != 0) throw new InvalidOperationException($"kill -CONT {_process.Id} failed");
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SystemKill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
