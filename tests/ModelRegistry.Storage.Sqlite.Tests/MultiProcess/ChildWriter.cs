using ModelRegistry.Registry;

namespace ModelRegistry.Storage.Sqlite.Tests.MultiProcess;

/// <summary>
/// The entry point of this test assembly when a test starts it as a child process
/// (<c>dotnet ModelRegistry.Storage.Sqlite.Tests.dll child-writer &lt;db&gt; &lt;who&gt; &lt;count&gt;</c>). The child opens the
/// registry on the SQLite file and mutates it, printing one line per acknowledged write, so the parent can check that
/// every acknowledged write survived.
/// </summary>
public static class ChildWriter
{
    public const string Command = "child-writer";

    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == LineageRaceChild.Command)
        {
            return await LineageRaceChild.RunAsync(args);
        }

        if (args.Length != 4 || args[0] != Command)
        {
            await Console.Error.WriteLineAsync($"usage: {Command} <db> <who> <count>");
            return 2;
        }

        var (db, who, count) = (args[1], args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
        await using var services = OpenRegistry(db, who);
        var registry = services.Registry;
        for (var i = 0; i < count; i++)
        {
            await Retry(() => registry.RegisterModelAsync(new RegisterModelRequest { Name = $"{who}-m{i}", Owners = [who] }));
            Console.WriteLine($"model {who}-m{i}");

            await Retry(() => registry.SetModelTagAsync("shared", $"{who}-{i}", "v"));
            Console.WriteLine($"tag {who}-{i}");

            var version = await Retry(() => registry.CreateVersionAsync("shared", new CreateVersionRequest
            {
                SourceCommit = $"{who}-{i}",
                Artifacts = [new ModelArtifact(ArtifactType.Weights, $"s3://models/shared/{who}-{i}.bin", new string('a', 64), 1, "MIT")],
            }));
            Console.WriteLine($"version {version.Version} {who}-{i}");
        }

        return 0;
    }

    /// <summary>A registry on the SQLite file, acting as <paramref name="who"/>, waiting long for the other process's locks.</summary>
    internal static ModelRegistryServices OpenRegistry(string db, string who)
        => ModelRegistryServices.Create(b =>
        {
            b.UseSqlite(o =>
            {
                o.ConnectionString = $"Data Source={db}";
                o.BusyTimeout = TimeSpan.FromSeconds(30);
            });
            b.Services.AddSingleton<IActorAccessor>(new Actor(who));
        });

    /// <summary>Retries what another process can make fail transiently: a lost race on a revision or a computed version number.</summary>
    private static async Task<T> Retry<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (ModelRegistryException ex) when (ex.Code is ErrorCode.ConcurrencyConflict or ErrorCode.AlreadyExists or ErrorCode.StorageUnavailable && attempt < 200)
            {
            }
        }
    }

    private sealed class Actor(string name) : IActorAccessor
    {
        public string CurrentActor => name;
    }
}
