using System.Collections.Concurrent;
using LiteDB;
using Xunit.Abstractions;
using ModelRegistry.Audit;
using ModelRegistry.Registry;
using ModelRegistry.Search;
using ModelRegistry.Storage.LiteDb.Internal;
using static ModelRegistry.Storage.LiteDb.Tests.Records;

namespace ModelRegistry.Storage.LiteDb.Tests;

/// <summary>
/// LiteDB 5.0.20 corrupts its free-page list when write transactions on different collections overlap (upstream #2825).
/// The store admits one write transaction at a time; this hammers every collection from many threads — inserts and
/// deletes of multi-page documents, so pages are freed and reused — with readers running alongside, then reopens the
/// file and checks every acknowledged write, every index and the audit chain.
/// </summary>
public sealed class ConcurrentWriteHammerTests : IDisposable
{
    private const int Writers = 8;
    private const int RoundsPerWriter = 30;
    private const int Readers = 3;
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly TempDatabase _database = new();
    private readonly ITestOutputHelper _output;

    public ConcurrentWriteHammerTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _database.Dispose();

    private static string Filler(int writer, int round) => new((char)('a' + ((writer + round) % 26)), 3000 + (round * 397 % 9000));

    [Fact]
    public async Task Many_threads_writing_all_collections_leave_a_consistent_file_with_every_acknowledged_write()
    {
        var expectedModels = new ConcurrentDictionary<string, RegisteredModel>(StringComparer.Ordinal);
        var expectedVersions = new ConcurrentDictionary<string, ModelVersion>(StringComparer.Ordinal);
        var auditRecords = new ConcurrentBag<AuditRecord>();
        var sharedUpdates = 0;
        var conflicts = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using (var store = LiteDbRegistryStoreFactory.Open(_database.Path))
        {
            auditRecords.Add((await store.CommitAsync(Tx(new PutModel(Model("shared"), 0)), Ct))[0]);
            using var stop = new CancellationTokenSource();
            var commits = new CommitSignal();

            // Readers run synchronously on threads of their own (never on the thread pool, which the writers keep busy
            // and which hands out new threads slowly on 2 cores), and the writers start only once every reader has read
            // once: a reader that never ran would prove nothing.
            using var readersRunning = new CountdownEvent(Readers);
            var writing = 0;
            var readers = Enumerable.Range(0, Readers).Select(r => Task.Factory.StartNew(() =>
            {
                var reads = 0;
                var readsDuringWrites = 0;
                long seen = 0;
                while (reads == 0 || !stop.IsCancellationRequested)
                {
                    _ = Wait(store.QueryModelsAsync(new StoreQuery(null, [Asc(SearchField.Name)], 50), Ct));
                    _ = Wait(store.QueryVersionsAsync(new StoreQuery(null, [Asc(SearchField.Name), Asc(SearchField.Version)], 50), Ct));
                    _ = Wait(store.QueryAuditAsync(new AuditQuery { Subject = "model:*" }, 0, 50, Ct));
                    _ = Wait(store.FindModelAsync("shared", Ct));
                    if (++reads == 1)
                    {
                        readersRunning.Signal();
                    }
                    else if (Volatile.Read(ref writing) == 1)
                    {
                        readsDuringWrites++;
                    }

                    // Read again only after the next acknowledged commit: the two cores stay mostly the writers', and
                    // every further read overlaps the stream of writes (the point is overlap, not read volume).
                    commits.WaitForNext(ref seen, stop.Token);
                }

                return readsDuringWrites;
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
            readersRunning.Wait(TimeSpan.FromMinutes(1)).Should().BeTrue("every reader must be running before the writers start");
            Volatile.Write(ref writing, 1);

            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (var round = 0; round < RoundsPerWriter; round++)
                {
                    var name = $"w{w}-m{round}";
                    var model = Model(name) with { Description = Filler(w, round), Tags = new Dictionary<string, string> { ["writer"] = $"w{w}" } };
                    var v1 = Version(name, "1.0.0") with { Description = Filler(w, round + 1), Tags = new Dictionary<string, string> { ["round"] = $"{round}" } };
                    var v2 = Version(name, "1.1.0-rc.1") with { IdempotencyKey = $"{name}-k" };
                    Collect(auditRecords, commits, await store.CommitAsync(Tx([new PutModel(model, 0), new PutVersion(v1, 0), new PutVersion(v2, 0)], "model.registered", "version.created", "version.created"), Ct));

                    // Update the model's owners (rewrites every version's copy) and a version's tags.
                    var updated = model with { Owners = [$"owner-{round}"], RiskTier = (RiskTier)(round % 3), Revision = 2 };
                    var v1b = v1 with { Stage = ModelStage.Staging, Tags = new Dictionary<string, string> { ["round"] = $"{round}", ["x"] = "y" }, Revision = 2 };
                    Collect(auditRecords, commits, await store.CommitAsync(Tx([new PutModel(updated, 1), new PutVersion(v1b, 1)], "model.updated", "version.updated"), Ct));

                    // Every third model is deleted again, freeing its pages for the next inserts.
                    if (round % 3 == 2)
                    {
                        Collect(auditRecords, commits, await store.CommitAsync(Tx(new DeleteModel(name, 2), "model.deleted"), Ct));
                    }
                    else
                    {
                        expectedModels[name] = updated;
                        expectedVersions[$"{name}/1.0.0"] = v1b;
                        expectedVersions[$"{name}/1.1.0-rc.1"] = v2;
                    }

                    // Contend on one model from every thread: conflicts are typed, no update is lost.
                    for (var attempt = 0; ; attempt++)
                    {
                        var current = (await store.FindModelAsync("shared", Ct))!;
                        var next = current with { Tags = new Dictionary<string, string>(current.Tags) { [$"w{w}-{round}"] = "1" }, Revision = current.Revision + 1 };
                        try
                        {
                            Collect(auditRecords, commits, await store.CommitAsync(Tx(new PutModel(next, current.Revision), "model.tagged"), Ct));
                            Interlocked.Increment(ref sharedUpdates);
                            break;
                        }
                        catch (ModelRegistryException ex) when (ex.Code == ErrorCode.ConcurrencyConflict && attempt < 500)
                        {
                            Interlocked.Increment(ref conflicts);
                        }
                    }
                }
            })).ToList();

            await Task.WhenAll(writers);
            Volatile.Write(ref writing, 0);
            await stop.CancelAsync();
            commits.Release();
            var reads = await Task.WhenAll(readers);
            _output.WriteLine($"{auditRecords.Count} commits, {conflicts} conflicts, reads during writes {string.Join(",", reads)} in {clock.Elapsed}");
            reads.Should().OnlyContain(n => n > 0, "reads must not be starved by a stream of write transactions");
        }

        // Reopen the file and read everything back.
        using (var store = LiteDbRegistryStoreFactory.Open(_database.Path))
        {
            var models = await store.QueryModelsAsync(All(), Ct);
            // Both sides in one order: unordered equivalence of hundreds of graphs is quadratic in FluentAssertions.
            models.Where(m => m.Name != "shared").Should().BeEquivalentTo(expectedModels.Values.OrderBy(m => m.Name, StringComparer.Ordinal), o => o.WithStrictOrdering());
            var shared = models.Single(m => m.Name == "shared");
            shared.Revision.Should().Be(1 + sharedUpdates);
            shared.Tags.Should().HaveCount(Writers * RoundsPerWriter);

            var versions = await store.QueryVersionsAsync(AllVersions(), Ct);
            versions.Should().BeEquivalentTo(expectedVersions.Values.OrderBy(v => v.ModelName, StringComparer.Ordinal).ThenBy(v => v.Version), o => o.WithStrictOrdering());
            foreach (var model in expectedModels.Values)
            {
                (await store.ListVersionsAsync(model.Name, Ct)).Should().HaveCount(2);
                (await store.FindVersionByIdempotencyKeyAsync(model.Name, $"{model.Name}-k", Ct)).Should().NotBeNull();
            }

            (await VerifyChainAsync(store)).Should().Be(auditRecords.Count);
            (await store.GetChangeSequenceAsync(Ct)).Should().Be(auditRecords.Count);
            auditRecords.Select(r => r.Sequence).Should().OnlyHaveUniqueItems();
            CheckIndexes(store.Database, expectedModels.Values);
        }
    }

    /// <summary>Blocks a reader's own thread until the read completes.</summary>
    private static T Wait<T>(ValueTask<T> read) => read.IsCompletedSuccessfully ? read.Result : read.AsTask().GetAwaiter().GetResult();

    private static void Collect(ConcurrentBag<AuditRecord> bag, CommitSignal commits, IReadOnlyList<AuditRecord> records)
    {
        foreach (var record in records)
        {
            bag.Add(record);
        }

        commits.Committed();
    }

    /// <summary>Counts acknowledged commits and wakes the readers waiting for the next one (no timing involved).</summary>
    private sealed class CommitSignal
    {
        private readonly object _gate = new();
        private long _count;

        public void Committed()
        {
            lock (_gate)
            {
                _count++;
                Monitor.PulseAll(_gate);
            }
        }

        /// <summary>Wakes every waiting reader for good (after the writers are done and the stop is requested).</summary>
        public void Release()
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        }

        /// <summary>Blocks until a commit newer than <paramref name="seen"/> is acknowledged, or the stop is requested.</summary>
        public void WaitForNext(ref long seen, CancellationToken stop)
        {
            lock (_gate)
            {
                while (_count == seen && !stop.IsCancellationRequested)
                {
                    Monitor.Wait(_gate);
                }

                seen = _count;
            }
        }
    }

    /// <summary>Every index agrees with a full scan, and every document is readable.</summary>
    private static void CheckIndexes(LiteDatabase db, IEnumerable<RegisteredModel> models)
    {
        foreach (var name in new[] { Schema.Models, Schema.Versions, Schema.Audit })
        {
            var collection = db.GetCollection(name);
            var scanned = collection.Query().ToDocuments().ToList();
            collection.Count().Should().Be(scanned.Count, name);
            scanned.Should().OnlyContain(d => d["json"].IsString && d["json"].AsString.Length > 0, name);
        }

        var versions = db.GetCollection(Schema.Versions);
        var allVersions = versions.Query().ToDocuments().ToList();
        foreach (var model in models)
        {
            var key = model.Name.ToUpperInvariant();
            var viaIndex = versions.Find(BsonExpression.Create("$.mk = @0", new BsonValue(key))).Select(d => d["_id"].AsString).Order(StringComparer.Ordinal);
            viaIndex.Should().Equal(allVersions.Where(d => d["mk"] == key).Select(d => d["_id"].AsString).Order(StringComparer.Ordinal));
        }

        foreach (var stage in new[] { ModelStage.Development, ModelStage.Staging })
        {
            versions.Find(BsonExpression.Create("$.stage = @0", new BsonValue((int)stage))).Count()
                .Should().Be(allVersions.Count(d => d["stage"] == (int)stage));
        }

        var tagged = versions.Find(BsonExpression.Create("$.tagkv[*] ANY = @0", new BsonValue(RecordDocuments.Entry("x", "y")))).Count();
        tagged.Should().Be(allVersions.Count(d => d["tagkv"].AsArray.Contains(RecordDocuments.Entry("x", "y"))));
        var byName = db.GetCollection(Schema.Models).Query().OrderBy("$.name").ToDocuments().Select(d => d["name"].AsString).ToList();
        byName.Should().BeInAscendingOrder(StringComparer.Ordinal);
    }
}
