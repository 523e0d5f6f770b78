using LiteDB;
using Microsoft.Data.Sqlite;
using ModelRegistry.Audit;
using ModelRegistry.Storage.Sqlite.Internal;
using ModelRegistry.Storage.Sqlite.Tests.Support;
using static ModelRegistry.Storage.Sqlite.Tests.Support.Records;

namespace ModelRegistry.Storage.Sqlite.Tests;

/// <summary>Opening files: creation, migration, refusal of damaged, foreign, newer and read-only files, engine errors.</summary>
public sealed class SqliteStoreFileTests : IDisposable
{
    private readonly TempStoreFile _file = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task A_new_file_is_created_with_the_current_schema_in_WAL_mode()
    {
        using (var store = _file.Open())
        {
            await store.CommitAsync(Tx(new PutModel(Model("m"), 0)), _ct);
        }

        File.Exists(_file.Path).Should().BeTrue();
        Scalar("PRAGMA journal_mode").Should().Be("wal");
        Scalar("PRAGMA application_id").Should().Be((long)SqliteSchema.ApplicationId);
        Scalar("SELECT max(version) FROM schema_migrations").Should().Be((long)SqliteSchema.CurrentVersion);
        Directory.EnumerateFiles(TempStoreFile.Folder, Path.GetFileName(_file.Path) + ".*.tmp*").Should().BeEmpty("the temporary build file is moved into place");
    }

    [Theory]
    [InlineData(SqliteDurability.Full, 2L)]
    [InlineData(SqliteDurability.Normal, 1L)]
    public async Task Connections_use_WAL_the_busy_timeout_and_the_chosen_durability(SqliteDurability durability, long synchronous)
    {
        using var store = _file.Open(o =>
        {
            o.Durability = durability;
            o.BusyTimeout = TimeSpan.FromMilliseconds(1234);
        });

        (await store.ScalarAsync("PRAGMA journal_mode", _ct)).Should().Be("wal");
        (await store.ScalarAsync("PRAGMA synchronous", _ct)).Should().Be(synchronous);
        (await store.ScalarAsync("PRAGMA busy_timeout", _ct)).Should().Be(1234L);
    }

    [Fact]
    public async Task Planner_statistics_are_gathered_as_the_store_grows()
    {
        using var store = _file.Open();
        const string statistics = "SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1') THEN (SELECT count(*) FROM sqlite_stat1 WHERE tbl IN ('versions', 'version_attrs')) ELSE 0 END";
        (await store.ScalarAsync(statistics, _ct)).Should().Be(0L);

        for (var batch = 0; batch < 3; batch++)
        {
            var writes = new List<StoreWrite>();
            for (var i = 0; i < 100; i++)
            {
                var name = $"m-{batch}-{i}";
                writes.Add(new PutModel(Model(name), 0));
                writes.AddRange(Enumerable.Range(0, 3).Select(v => new PutVersion(Version(name, $"1.{v}.0"), 0)));
            }

            await store.CommitAsync(new StoreTransaction(writes, [Draft("load", "test:load")]), _ct);
        }

        (await store.ScalarAsync(statistics, _ct)).Should().NotBe(0L);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(8192)]
    public void A_file_of_garbage_or_zero_length_is_refused_as_corrupted_naming_the_file_and_left_untouched(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        File.WriteAllBytes(_file.Path, bytes);

        var open = () => _file.Open();

        var error = open.Should().Throw<ModelRegistryException>().Which;
        error.Code.Should().Be(ErrorCode.StorageCorrupted);
        error.Message.Should().Contain(_file.Path);
        File.ReadAllBytes(_file.Path).Should().Equal(bytes);
    }

    [Fact]
    public void A_LiteDB_file_is_refused_as_corrupted_and_left_untouched()
    {
        using (var db = new LiteDatabase($"Filename={_file.Path};Connection=direct"))
        {
            db.GetCollection("models").Insert(new BsonDocument { ["name"] = "fraud-detector" });
        }

        var before = File.ReadAllBytes(_file.Path);

        var open = () => _file.Open();

        var error = open.Should().Throw<ModelRegistryException>().Which;
        error.Code.Should().Be(ErrorCode.StorageCorrupted);
        error.Message.Should().Contain(_file.Path).And.Contain("not a ModelRegistry SQLite store");
        File.ReadAllBytes(_file.Path).Should().Equal(before);
    }

    [Fact]
    public void Another_applications_SQLite_database_is_refused_and_not_modified()
    {
        using (var connection = new SqliteConnection($"Data Source={_file.Path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (12.5)";
            command.ExecuteNonQuery();
        }

        var open = () => _file.Open();

        var error = open.Should().Throw<ModelRegistryException>().Which;
        error.Code.Should().Be(ErrorCode.StorageCorrupted);
        error.Message.Should().Contain(_file.Path);
        Scalar("SELECT group_concat(name) FROM sqlite_schema").Should().Be("invoices");
    }

    [Fact]
    public async Task A_store_whose_pages_are_damaged_reports_corruption_naming_the_file_instead_of_answering()
    {
        using (var store = _file.Open())
        {
            for (var i = 0; i < 50; i++)
            {
                await store.CommitAsync(Tx(new PutModel(Model($"model-{i:D3}") with { Description = new string('x', 2000) }, 0)), _ct);
            }
        }

        // Overwrite everything after the first page (the header and the schema stay readable).
        var bytes = File.ReadAllBytes(_file.Path);
        var pageSize = (bytes[16] << 8) | bytes[17]; // big-endian in the SQLite header
        for (var i = pageSize; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 31);
        }

        File.WriteAllBytes(_file.Path, bytes);

        var use = async () =>
        {
            using var store = _file.Open();
            await StoreSearch.Models(store, null);
        };

        var error = (await use.Should().ThrowAsync<ModelRegistryException>()).Which;
        error.Code.Should().Be(ErrorCode.StorageCorrupted);
        error.Message.Should().Contain(_file.Path);
    }

    [Fact]
    public void A_store_with_a_newer_schema_is_refused_and_not_downgraded()
    {
        using (_file.Open(Future))
        {
        }

        var open = () => _file.Open();

        var error = open.Should().Throw<ModelRegistryException>().Which;
        error.Code.Should().Be(ErrorCode.StorageIncompatible);
        error.Message.Should().Contain(_file.Path).And.Contain($"schema version {SqliteSchema.CurrentVersion + 1}");
        Scalar("SELECT max(version) FROM schema_migrations").Should().Be((long)SqliteSchema.CurrentVersion + 1);
    }

    [Fact]
    public async Task An_older_store_is_migrated_on_open_once_and_keeps_its_data()
    {
        using (var store = _file.Open())
        {
            await store.CommitAsync(Tx(new PutModel(Model("m"), 0)), _ct);
        }

        using (var migrated = _file.Open(Future))
        {
            (await migrated.FindModelAsync("m", _ct)).ShouldRoundTrip(Model("m"));
        }

        using (_file.Open(Future))
        {
        }

        Scalar("SELECT count(*) FROM schema_migrations").Should().Be((long)SqliteSchema.CurrentVersion + 1);
        Scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'future_table'").Should().Be(1L);
    }

    [Fact]
    public async Task A_schema_2_store_is_migrated_to_documents_in_the_version_row_and_one_attribute_table_and_stays_searchable()
    {
        // Schema 2 kept documents in version_docs and tags, parameters and metrics in three tables; write such a file
        // (the model through the store, whose model tables did not change; the version rows by hand, as schema 2 did).
        var version = Version("m", "1.2.0", metrics: new Dictionary<string, double>(StringComparer.Ordinal) { ["accuracy"] = 0.93, ["loss"] = 2.0 });
        using (var old = _file.Open([.. SqliteSchema.Migrations.Take(2)]))
        {
            await old.CommitAsync(Tx(new PutModel(Model("m"), 0)), _ct);
        }

        using (var connection = new SqliteConnection($"Data Source={_file.Path};Pooling=False"))
        {
            connection.Open();
            Execute(connection, "BEGIN");
            using (var insert = connection.CreateCommand())
            {
                insert.CommandText = "INSERT INTO versions (id, model_key, sort_key, model_name, stage, created_at, updated_at, revision, side_hash) VALUES (7, 'M', $sort, 'm', 0, 0, 0, 1, x'00')";
                insert.Parameters.AddWithValue("$sort", version.Version.SortKey);
                insert.ExecuteNonQuery();
                insert.CommandText = "INSERT INTO version_docs (id, doc) VALUES (7, $doc)";
                insert.Parameters.AddWithValue("$doc", StoreSerializer.Serialize(version));
                insert.ExecuteNonQuery();
            }

            foreach (var (k, v) in version.Tags)
            {
                Execute(connection, $"INSERT INTO version_tags VALUES (7, '{k}', '{v}')");
            }

            foreach (var (k, v) in version.Parameters)
            {
                Execute(connection, $"INSERT INTO version_params VALUES (7, '{k}', '{v}')");
            }

            foreach (var (k, v) in version.Metrics)
            {
                Execute(connection, $"INSERT INTO version_metrics VALUES (7, '{k}', {v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)})");
            }

            Execute(connection, "COMMIT");
        }

        using var store = _file.Open();
        Scalar("SELECT max(version) FROM schema_migrations").Should().Be((long)SqliteSchema.CurrentVersion);
        Scalar("SELECT count(*) FROM sqlite_schema WHERE name IN ('version_docs', 'version_tags', 'version_params', 'version_metrics')").Should().Be(0L);
        (await store.FindVersionAsync("m", version.Version, _ct)).ShouldRoundTrip(version);
        (await store.FindLatestVersionAsync("m", _ct)).ShouldRoundTrip(version);
        (await store.FindVersionByContentHashAsync("m", version.ContentHash, _ct)).ShouldRoundTrip(version);
        (await StoreSearch.Versions(store, F.Eq(F.Tag("team"), "risk"))).Should().ContainSingle();
        (await StoreSearch.Versions(store, F.Eq(F.Param("lr"), "0.001"))).Should().ContainSingle();
        (await StoreSearch.Versions(store, F.Eq(F.Metric("loss"), 2.0))).Should().ContainSingle("a whole-number metric is still compared as a number");
        (await StoreSearch.Versions(store, F.Gt(F.Metric("accuracy"), 0.9))).Should().ContainSingle();
        (await StoreSearch.Versions(store, F.Eq(F.Tag("lr"), "0.001"))).Should().BeEmpty("a parameter is not a tag");
    }

    [Fact]
    public void A_failing_migration_is_rolled_back_and_leaves_the_previous_schema()
    {
        using (_file.Open())
        {
        }

        var broken = SqliteSchema.Migrations.Append(new SqliteMigration(SqliteSchema.CurrentVersion + 1, "broken", ["CREATE TABLE half_done (x)", "THIS IS NOT SQL"])).ToList();

        var open = () => _file.Open(broken);

        open.Should().Throw<ModelRegistryException>();
        Scalar("SELECT max(version) FROM schema_migrations").Should().Be((long)SqliteSchema.CurrentVersion);
        Scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'").Should().Be(0L);
    }

    [Fact]
    public async Task Many_stores_opening_the_same_new_file_at_once_share_one_schema()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => _file.Open())));
        await Task.WhenAll(stores.Select((s, i) => s.CommitAsync(Tx(new PutModel(Model("m" + i), 0)), _ct).AsTask()));

        foreach (var store in stores)
        {
            (await StoreSearch.Models(store, null)).Should().HaveCount(8);
        }

        Scalar("SELECT count(*) FROM schema_migrations").Should().Be((long)SqliteSchema.CurrentVersion);
        Directory.EnumerateFiles(TempStoreFile.Folder, Path.GetFileName(_file.Path) + ".*.tmp*").Should().BeEmpty();
    }

    [Fact]
    public async Task A_commit_that_waits_longer_than_the_busy_timeout_fails_as_unavailable_and_changes_nothing()
    {
        using var store = _file.Open(o => o.BusyTimeout = TimeSpan.FromMilliseconds(100));
        await store.CommitAsync(Tx(new PutModel(Model("m"), 0)), _ct);

        using (var blocker = new SqliteConnection($"Data Source={_file.Path};Pooling=False"))
        {
            blocker.Open();
            Execute(blocker, "BEGIN IMMEDIATE; INSERT INTO audit (sequence, ts, ts_offset, actor, action, subject, data, prev_hash, hash) VALUES (99, 0, 0, 'x', 'x', 'x', '{}', 'x', 'x')");

            var commit = async () => await store.CommitAsync(Tx(new PutModel(Model("n"), 0)), _ct);
            var error = (await commit.Should().ThrowAsync<ModelRegistryException>()).Which;
            error.Code.Should().Be(ErrorCode.StorageUnavailable);
            error.Message.Should().Contain(_file.Path);

            // Readers are not blocked by the writer and do not see its uncommitted work.
            (await store.FindModelAsync("m", _ct)).Should().NotBeNull();
            (await store.GetChangeSequenceAsync(_ct)).Should().Be(1);
            Execute(blocker, "ROLLBACK");
        }

        (await store.FindModelAsync("n", _ct)).Should().BeNull();
        await store.CommitAsync(Tx(new PutModel(Model("n"), 0)), _ct);
        (await store.GetChangeSequenceAsync(_ct)).Should().Be(2);
    }

    [Fact]
    public async Task A_store_opened_read_only_answers_reads_and_refuses_writes_with_a_clear_error()
    {
        using (var writer = _file.Open())
        {
            await writer.CommitAsync(Tx(new PutModel(Model("m"), 0)), _ct);
        }

        using var store = _file.Open(o => o.ConnectionString = $"Data Source={_file.Path};Mode=ReadOnly");
        (await store.FindModelAsync("m", _ct)).Should().NotBeNull();

        var commit = async () => await store.CommitAsync(Tx(new PutModel(Model("n"), 0)), _ct);
        var error = (await commit.Should().ThrowAsync<ModelRegistryException>()).Which;
        error.Code.Should().Be(ErrorCode.StorageIncompatible);
        error.Message.Should().Contain("read-only").And.Contain(_file.Path);
        (await store.FindModelAsync("n", _ct)).Should().BeNull();
    }

    [Fact]
    public void A_missing_file_opened_read_only_is_not_created()
    {
        var open = () => _file.Open(o => o.ConnectionString = $"Data Source={_file.Path};Mode=ReadOnly");
        var error = open.Should().Throw<ModelRegistryException>().Which;
        error.Code.Should().Be(ErrorCode.StorageUnavailable);
        error.Message.Should().Contain(_file.Path);
        File.Exists(_file.Path).Should().BeFalse();
    }

    [Fact]
    public void A_file_in_a_missing_directory_is_reported_as_unavailable()
    {
        var path = Path.Combine(TempStoreFile.Folder, Guid.NewGuid().ToString("N"), "registry.db");
        var open = () => SqliteRegistryStore.Open(new SqliteStoreOptions { ConnectionString = $"Data Source={path}" });
        var error = open.Should().Throw<ModelRegistryException>().Which;
        error.Code.Should().Be(ErrorCode.StorageUnavailable);
        error.Message.Should().Contain(path);
    }

    [Fact]
    public async Task An_in_memory_database_works_for_the_life_of_the_store()
    {
        using var store = SqliteRegistryStore.Open(new SqliteStoreOptions { ConnectionString = "Data Source=:memory:" });
        await store.CommitAsync(Tx(new PutModel(Model("m"), 0)), _ct);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            await store.CommitAsync(Tx(new PutVersion(Version("m", $"1.0.{i}"), 0)), _ct);
            (await store.FindModelAsync("m", _ct)).Should().NotBeNull();
        })));
        (await store.ListVersionsAsync("m", _ct)).Should().HaveCount(8);
        (await store.QueryAuditAsync(new AuditQuery(), 0, 100, _ct)).Should().HaveCount(9);
    }

    private static IReadOnlyList<SqliteMigration> Future { get; } =
        [.. SqliteSchema.Migrations, new SqliteMigration(SqliteSchema.CurrentVersion + 1, "future", ["CREATE TABLE future_table (x INTEGER)"])];

    private object? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_file.Path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
