using System.Diagnostics;
using System.Text;
using LiteDB;
using LiteDB.Engine;
using Microsoft.Extensions.Logging;

namespace ModelRegistry.Storage.LiteDb.Internal;

/// <summary>
/// One open registry database and the lock that lets one write transaction at a time touch it.
/// </summary>
/// <remarks>
/// <para>
/// Connection mode: the store runs LiteDB's engine in-process (Direct mode) on file streams it opens itself with
/// <see cref="FileShare.None"/>. On Linux and macOS .NET turns that into an exclusive <c>flock</c>, on Windows into a
/// sharing violation, so a second process — this library, LiteDB in Shared or Direct mode, LiteDB Studio — cannot open
/// the data file or its <c>-log</c> file while it is open here. LiteDB's own Direct mode does not do this on Linux
/// (writers take only a shared lock, so two processes can both write and lose each other's updates, upstream #2163), and
/// Shared mode serialises with a named mutex that a Direct-mode opener ignores. Refusing is the only safe answer.
/// </para>
/// <para>
/// Within a process, every store opened on the same path shares one instance (reference-counted), so two registries in
/// one process see each other's writes and take turns through one <see cref="WriteLock"/>. That lock exists because
/// LiteDB 5.0.20 corrupts its free-page list when two write transactions on different collections run at the same
/// time (upstream #2825, fixed in 5.0.21).
/// </para>
/// </remarks>
internal sealed class LiteDbFile : IDisposable
{
    private const int PageSize = 8192;
    private const int HeaderInfoOffset = 32;
    private const int FileVersionOffset = 59;
    private const byte SupportedFileVersion = 8;
    private static readonly byte[] HeaderInfo = Encoding.ASCII.GetBytes("** This is a LiteDB file **");
    private static readonly byte[] SqliteHeader = Encoding.ASCII.GetBytes("SQLite format 3\0");

    private static readonly Dictionary<string, LiteDbFile> OpenFiles = new(StringComparer.Ordinal);
    private static readonly Lock OpenFilesGate = new();

    private readonly string? _key;
    private readonly string? _logPath;
    private readonly FileStream? _dataStream;
    private readonly FileStream? _logStream;
    private readonly DurableFileStream? _log;
    private bool _flushToDisk;
    private int _references = 1;

    private LiteDbFile(string? key, string displayName, LiteDatabase database, FileStream? dataStream, FileStream? logStream, string? logPath, DurableFileStream? log, bool flushToDisk)
    {
        _log = log;
        _flushToDisk = flushToDisk;
        _key = key;
        DisplayName = displayName;
        Database = database;
        _dataStream = dataStream;
        _logStream = logStream;
        _logPath = logPath;
    }

    /// <summary>The file path (or <c>:memory:</c>) for messages.</summary>
    public string DisplayName { get; }

    /// <summary>The database. Thread-safe for reads; writes go through <see cref="WriteLock"/>.</summary>
    public LiteDatabase Database { get; }

    /// <summary>Admits one write transaction at a time to this database.</summary>
    public SemaphoreSlim WriteLock { get; } = new(1, 1);

    /// <summary>Opens the database, or shares the instance already open in this process.</summary>
    /// <exception cref="ModelRegistryException">The file is locked, damaged, not a registry store, or written by a newer version.</exception>
    public static LiteDbFile Acquire(LiteDbStoreSettings settings, ILogger logger)
    {
        if (settings.InMemory)
        {
            return OpenMemory();
        }

        var path = Path.GetFullPath(settings.Filename);
        lock (OpenFilesGate)
        {
            if (OpenFiles.TryGetValue(path, out var open))
            {
                // Stores sharing a file share its durability: the stricter setting wins.
                if (settings.FlushToDisk && !open._flushToDisk)
                {
                    open._flushToDisk = true;
                }

                open._references++;
                return open;
            }

            var file = OpenPath(path, settings, logger);
            OpenFiles.Add(path, file);
            return file;
        }
    }

    /// <summary>
    /// Makes the last commit durable: waits until LiteDB's background writer has written the log up to its current
    /// length, then (with <see cref="LiteDbStoreOptions.FlushToDisk"/>) fsyncs the log once. Call with
    /// <see cref="WriteLock"/> held, right after the commit.
    /// </summary>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.StorageUnavailable"/> when the log is not written in time.</exception>
    public void WaitUntilDurable()
    {
        if (_log is null)
        {
            return;
        }

        // The virtual length counts pages still queued for the writer thread; a checkpoint inside the commit resets it.
        var logEnd = (long)Database.GetCollection("$database").FindAll().First()["logFileSize"].AsInt32;
        var written = _log.WaitUntilWritten(logEnd, TimeSpan.FromSeconds(30));
        if (_log.WriteFailure is { } failure)
        {
            throw new ModelRegistryException(ErrorCode.StorageUnavailable,
                $"The LiteDB registry file '{DisplayName}' could not write its log ({failure.Message}); the last change is not on disk. Free space or fix the disk, then dispose the registry and open it again.",
                Subject(DisplayName), failure);
        }

        if (!written)
        {
            throw new ModelRegistryException(ErrorCode.StorageUnavailable,
                $"The LiteDB registry file '{DisplayName}' did not finish writing its log within 30 seconds; the last change may not be on disk. Check the disk, then reopen the store.",
                Subject(DisplayName));
        }

        if (_flushToDisk)
        {
            _log.FlushToDisk();
        }
    }

    /// <summary>Releases this holder's reference; the last one closes the database and the file.</summary>
    public void Dispose()
    {
        if (_key is null)
        {
            if (Interlocked.Exchange(ref _references, 0) == 1)
            {
                Close();
            }

            return;
        }

        lock (OpenFilesGate)
        {
            if (_references == 0 || --_references > 0)
            {
                return;
            }

            OpenFiles.Remove(_key);
            Close();
        }
    }

    /// <summary>
    /// Engines whose log write failed (a full disk), kept reachable for the life of the process. LiteDB 5 leaves the
    /// transaction that was committing active when its writer fails; once the engine is unreachable that transaction's
    /// finalizer throws ("discarded page must be writable") on the finalizer thread, which ends the whole host process.
    /// One engine per such failure is a small price.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentBag<LiteDatabase> FailedEngines = [];

    private void Close()
    {
        if (_log?.WriteFailure is not null)
        {
            FailedEngines.Add(Database);
        }

        // LiteDB checkpoints the log into the data file on dispose. The data file stays locked until the empty log is
        // deleted, so no other process can open the pair in between.
        Database.Dispose();
        _logStream?.Dispose();
        try
        {
            if (_logPath is not null && File.Exists(_logPath) && new FileInfo(_logPath).Length == 0)
            {
                File.Delete(_logPath);
            }
        }
        catch (IOException)
        {
            // An empty -log file left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }

        _dataStream?.Dispose();
        WriteLock.Dispose();
    }

    private static LiteDbFile OpenMemory()
    {
        var engine = new LiteEngine(new EngineSettings
        {
            DataStream = new MemoryStream(),
            LogStream = new MemoryStream(),
            Collation = Collation.Binary,
        });
        var database = new LiteDatabase(engine, mapper: null, disposeOnClose: true);
        InitializeOrCheckSchema(database, LiteDbStoreSettings.MemoryFilename, dataLength: 0, logger: null);
        return new LiteDbFile(null, LiteDbStoreSettings.MemoryFilename, database, null, null, null, null, false);
    }

    private static LiteDbFile OpenPath(string path, LiteDbStoreSettings settings, ILogger logger)
    {
        var directory = Path.GetDirectoryName(path);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new ModelRegistryException(ErrorCode.StorageUnavailable,
                $"The folder of the LiteDB registry file '{path}' does not exist; create it or choose another path.", Subject(path));
        }

        var (data, created) = OpenDataFile(path, settings.FileLockTimeout);
        FileStream? log = null;
        LiteDatabase? database = null;
        var logPath = Path.Combine(directory ?? string.Empty, Path.GetFileNameWithoutExtension(path) + "-log" + Path.GetExtension(path));
        try
        {
            if (!created)
            {
                CheckHeader(data, path);
            }

            // The length before LiteDB sees the file: what a migration checks the header's page count against.
            var dataLength = data.Length;

            log = OpenExclusive(logPath, FileMode.OpenOrCreate, path, settings.FileLockTimeout);
            if (created && log.Length > 0)
            {
                throw new ModelRegistryException(ErrorCode.StorageCorrupted,
                    $"The LiteDB registry file '{path}' did not exist but its log file '{logPath}' does; the log belongs to a deleted database. Move the log file away before opening.",
                    Subject(path));
            }

            var durableLog = new DurableFileStream(log, fsyncOnFlush: false);
            var engine = OpenEngine(path, new DurableFileStream(data, fsyncOnFlush: true), durableLog, created ? settings.InitialSize : 0);
            database = new LiteDatabase(engine, mapper: null, disposeOnClose: true);
            InitializeOrCheckSchema(database, path, dataLength, logger);
            logger.LogInformation(created ? "Created LiteDB registry store {File}" : "Opened LiteDB registry store {File}", path);
            return new LiteDbFile(path, path, database, data, log, logPath, durableLog, settings.FlushToDisk);
        }
        catch
        {
            database?.Dispose();
            log?.Dispose();
            data.Dispose();
            if (created)
            {
                TryDelete(path);
                TryDelete(logPath);
            }

            throw;
        }
    }

    private static LiteEngine OpenEngine(string path, Stream data, Stream log, long initialSize)
    {
        try
        {
            return new LiteEngine(new EngineSettings
            {
                DataStream = data,
                LogStream = log,
                Collation = Collation.Binary,
                InitialSize = initialSize,
            });
        }
        catch (LiteException ex) when (ex.Message.Contains("collation", StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelRegistryException(ErrorCode.StorageIncompatible,
                $"The LiteDB file '{path}' was created with a culture-aware string collation; the registry store needs ordinal comparison and only opens files it created.",
                Subject(path), ex);
        }
        catch (Exception ex) when (ex is LiteException or InvalidCastException or IndexOutOfRangeException or ArgumentException or InvalidOperationException or NullReferenceException or OverflowException or EndOfStreamException || ex.GetType() == typeof(Exception))
        {
            // LiteDB reports damaged pages with plain Exception ("LiteDB ENSURE: ...") as well as LiteException.
            throw Corrupted(path, $"LiteDB could not read it ({ex.Message})", ex);
        }
    }

    /// <summary>
    /// Creates the schema in a new database, or checks that an existing one is a registry store this build can use and
    /// migrates a file of the previous schema version once it has been verified as sound.
    /// </summary>
    /// <param name="database">The open database.</param>
    /// <param name="path">The file, for messages.</param>
    /// <param name="dataLength">The data file's length before the engine opened it (0 for a new or in-memory database).</param>
    /// <param name="logger">Where a migration is logged, or <see langword="null"/>.</param>
    private static void InitializeOrCheckSchema(LiteDatabase database, string path, long dataLength, ILogger? logger)
    {
        try
        {
            // Before anything reads a page: a truncated file is refused here, as LiteDB would mark it invalid (a write
            // into its header) on the first page it cannot read.
            var checkedWhole = dataLength > 0 && CheckPageCount(database, path, dataLength);
            var names = database.GetCollectionNames().ToList();
            var meta = database.GetCollection(Schema.Meta);
            var marker = names.Contains(Schema.Meta, StringComparer.OrdinalIgnoreCase) ? meta.FindById(Schema.SchemaDocumentId) : null;
            if (marker is null)
            {
                // A new file, or one whose creation was interrupted before the marker was written (the marker is the
                // last write). Anything else is some other application's LiteDB database: refuse it.
                var foreign = names.Where(n => !Schema.OwnCollections.Contains(n)).ToList();
                var nonEmpty = names.Where(n => Schema.OwnCollections.Contains(n) && database.GetCollection(n).LongCount() > 0).ToList();
                if (foreign.Count > 0 || nonEmpty.Count > 0)
                {
                    throw new ModelRegistryException(ErrorCode.StorageIncompatible,
                        $"The LiteDB file '{path}' is not a model registry store (it holds the collections {string.Join(", ", names)}); point the store at a new file.",
                        Subject(path));
                }

                Schema.EnsureIndexes(database);
                meta.Upsert(new BsonDocument
                {
                    ["_id"] = Schema.SchemaDocumentId,
                    ["format"] = Schema.Format,
                    ["version"] = Schema.CurrentVersion,
                });
                database.Checkpoint();
                return;
            }

            if (marker["format"] != Schema.Format || !marker["version"].IsNumber)
            {
                throw new ModelRegistryException(ErrorCode.StorageIncompatible,
                    $"The LiteDB file '{path}' has a schema marker this library does not recognise; it is not a model registry store.", Subject(path));
            }

            var version = marker["version"].AsInt32;
            if (version > Schema.CurrentVersion)
            {
                throw new ModelRegistryException(ErrorCode.StorageIncompatible,
                    $"The LiteDB registry file '{path}' has schema version {version}, written by a newer version of ModelRegistry (this one reads up to {Schema.CurrentVersion}); upgrade the library instead of opening it with this one.",
                    Subject(path));
            }

            if (version < Schema.OldestMigratableVersion)
            {
                throw new ModelRegistryException(ErrorCode.StorageIncompatible,
                    $"The LiteDB file '{path}' has schema version {version}, which this library does not read; it is not a model registry store it can open.",
                    Subject(path));
            }

            if (version < Schema.CurrentVersion)
            {
                MigrateIfSound(database, path, checkedWhole, version, logger);
                return;
            }

            Schema.EnsureIndexes(database);
        }
        catch (ModelRegistryException)
        {
            throw;
        }
        catch (Exception ex) when (ex is LiteException or InvalidCastException or IndexOutOfRangeException or InvalidOperationException or NullReferenceException || ex.GetType() == typeof(Exception))
        {
            throw Corrupted(path, $"LiteDB could not read it ({ex.Message})", ex);
        }
    }

    /// <summary>
    /// Migrates a file of the previous schema version: first verifies it without writing (a damaged file is refused
    /// with its bytes unchanged), then creates the new index and bumps the marker in one transaction and checkpoints it
    /// into the data file. A file whose page count could not be checked (opened with a non-empty log: its last session
    /// did not close) is left at its version for now and migrated on a later open; the new index only speeds listings
    /// up, so the store works on the old version meanwhile.
    /// </summary>
    private static void MigrateIfSound(LiteDatabase database, string path, bool checkedWhole, int version, ILogger? logger)
    {
        if (!checkedWhole)
        {
            logger?.LogInformation("LiteDB registry store {File} has schema version {Version} and an uncheckpointed log; it is migrated on a later open", path, version);
            return;
        }

        // Every document of every collection reads back (read-only; the page count was checked on open).
        foreach (var name in database.GetCollectionNames())
        {
            foreach (var unused in database.GetCollection(name).FindAll())
            {
            }
        }

        if (!database.BeginTrans())
        {
            throw new InvalidOperationException("A LiteDB transaction is already open on this thread.");
        }

        var committed = false;
        try
        {
            Schema.MigrateFromPreviousVersion(database);
            database.GetCollection(Schema.Meta).Upsert(new BsonDocument
            {
                ["_id"] = Schema.SchemaDocumentId,
                ["format"] = Schema.Format,
                ["version"] = Schema.CurrentVersion,
            });
            committed = database.Commit();
            if (!committed)
            {
                throw new InvalidOperationException("LiteDB did not commit the schema migration.");
            }
        }
        finally
        {
            if (!committed)
            {
                database.Rollback();
            }
        }

        database.Checkpoint();
        logger?.LogInformation("Migrated LiteDB registry store {File} from schema version {From} to {To}", path, version, Schema.CurrentVersion);
    }

    /// <summary>
    /// Checks, without reading any page, that the header's last page lies inside the data file: a truncated file fails
    /// this. Returns <see langword="false"/> when the check cannot be made — the log is not empty, so the header the
    /// engine restored also counts pages that are only in the log.
    /// </summary>
    /// <exception cref="ModelRegistryException"><see cref="ErrorCode.StorageCorrupted"/> when the file was truncated.</exception>
    private static bool CheckPageCount(LiteDatabase database, string path, long dataLength)
    {
        var info = database.GetCollection("$database").FindAll().First();
        if (info["logFileSize"].AsInt64 > 0)
        {
            return false;
        }

        var pages = info["lastPageID"].AsInt64 + 1;
        if (pages * PageSize > dataLength)
        {
            throw Corrupted(path, $"its header counts {pages} pages but the file holds {dataLength / PageSize}, so it was truncated; it was left unchanged");
        }

        return true;
    }

    /// <summary>
    /// Checks the first page before LiteDB sees the file: LiteDB would initialise an empty file as a new database and
    /// truncate a file whose length is not a whole number of pages, destroying whatever it was.
    /// </summary>
    private static void CheckHeader(FileStream data, string path)
    {
        var length = data.Length;
        if (length == 0)
        {
            throw Corrupted(path, "it is empty (0 bytes), so it is not a registry store; it was left unchanged");
        }

        var page = new byte[PageSize];
        data.Position = 0;
        var read = data.ReadAtLeast(page, PageSize, throwOnEndOfStream: false);
        data.Position = 0;
        var span = page.AsSpan(0, read);
        if (span.StartsWith(SqliteHeader))
        {
            throw Corrupted(path, "it is a SQLite database, not a LiteDB registry store (open it with UseSqlite); it was left unchanged");
        }

        if (read < PageSize || length % PageSize != 0)
        {
            throw Corrupted(path, $"its length ({length} bytes) is not a whole number of LiteDB pages, so it is not an intact LiteDB file; it was left unchanged");
        }

        if (span[0] == 1)
        {
            throw new ModelRegistryException(ErrorCode.StorageIncompatible,
                $"The LiteDB file '{path}' is encrypted; the registry store does not support encrypted files.", Subject(path));
        }

        if (span.Slice(HeaderInfoOffset, HeaderInfo.Length).SequenceEqual(HeaderInfo))
        {
            if (span[FileVersionOffset] != SupportedFileVersion)
            {
                throw new ModelRegistryException(ErrorCode.StorageIncompatible,
                    $"The LiteDB file '{path}' has file format version {span[FileVersionOffset]}; this library reads LiteDB 5 files (version {SupportedFileVersion}).", Subject(path));
            }

            return;
        }

        if (span[..256].IndexOf(HeaderInfo) >= 0)
        {
            throw new ModelRegistryException(ErrorCode.StorageIncompatible,
                $"The LiteDB file '{path}' is in the LiteDB 4 format; the registry store reads only LiteDB 5 files it created.", Subject(path));
        }

        throw Corrupted(path, "it does not start with a LiteDB header; it was left unchanged");
    }

    private static (FileStream Stream, bool Created) OpenDataFile(string path, TimeSpan lockTimeout)
    {
        // CreateNew when absent, so that a file that exists (even empty) is never silently initialised.
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (!File.Exists(path))
            {
                try
                {
                    return (OpenExclusive(path, FileMode.CreateNew, path, TimeSpan.Zero), true);
                }
                catch (ModelRegistryException) when (File.Exists(path) && Stopwatch.GetElapsedTime(started) <= lockTimeout + TimeSpan.FromSeconds(1))
                {
                    // Another process created it in between; open it as an existing file.
                    continue;
                }
            }

            var remaining = lockTimeout - Stopwatch.GetElapsedTime(started);
            return (OpenExclusive(path, FileMode.Open, path, remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining), false);
        }
    }

    private static FileStream OpenExclusive(string file, FileMode mode, string databasePath, TimeSpan lockTimeout)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return new FileStream(file, mode, FileAccess.ReadWrite, FileShare.None, PageSize, FileOptions.RandomAccess);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new ModelRegistryException(ErrorCode.StorageIncompatible,
                    $"The LiteDB registry file '{file}' cannot be opened for writing (it or its folder is read-only, or access is denied); the store needs read-write access.",
                    Subject(databasePath), ex);
            }
            catch (IOException ex) when (IsLockConflict(ex))
            {
                if (Stopwatch.GetElapsedTime(started) >= lockTimeout)
                {
                    throw new ModelRegistryException(ErrorCode.StorageUnavailable,
                        $"The LiteDB registry file '{databasePath}' is open in another process. A LiteDB store is used by one process at a time; close the other process, or use the SQLite store to share a registry between processes.",
                        Subject(databasePath), ex);
                }

                Thread.Sleep(50);
            }
            catch (IOException ex) when (mode == FileMode.CreateNew && File.Exists(file))
            {
                throw new ModelRegistryException(ErrorCode.StorageUnavailable, $"The LiteDB registry file '{file}' was created by another process while opening it.", Subject(databasePath), ex);
            }
            catch (IOException ex)
            {
                throw new ModelRegistryException(ErrorCode.StorageUnavailable, $"The LiteDB registry file '{file}' cannot be opened: {ex.Message}", Subject(databasePath), ex);
            }
        }
    }

    private static bool IsLockConflict(IOException ex)
    {
        if (ex is FileNotFoundException or DirectoryNotFoundException or PathTooLongException)
        {
            return false;
        }

        // Windows: ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION. Unix: EWOULDBLOCK from flock.
        var code = ex.HResult & 0xFFFF;
        return code is 32 or 33 || ex.HResult == 11;
    }

    private static ModelRegistryException Corrupted(string path, string why, Exception? inner = null)
        => new(ErrorCode.StorageCorrupted,
            $"The LiteDB registry file '{path}' cannot be used: {why}. Restore it from a backup or point the store at another file.",
            Subject(path), inner);

    private static string Subject(string path) => "file:" + path;

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
