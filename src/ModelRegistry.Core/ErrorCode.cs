namespace ModelRegistry;

/// <summary>
/// The stable, documented reason a <see cref="ModelRegistryException"/> was thrown.
/// Values never change meaning; hosts may map them to HTTP status codes or retry policies.
/// </summary>
public enum ErrorCode
{
    /// <summary>The model, version, alias, binding or record named in the call does not exist.</summary>
    NotFound = 1,

    /// <summary>Something with the same identity (name, version, alias, idempotency key) already exists.</summary>
    AlreadyExists = 2,

    /// <summary>An argument is malformed or out of range; nothing was changed.</summary>
    InvalidArgument = 3,

    /// <summary>A stage transition is not in the table of allowed transitions.</summary>
    InvalidTransition = 4,

    /// <summary>The write was based on a stale revision; read the current state and try again.</summary>
    ConcurrencyConflict = 5,

    /// <summary>A rule of the registry or a promotion gate refused the operation.</summary>
    PolicyViolation = 6,

    /// <summary>The current actor is not allowed to perform the operation.</summary>
    Forbidden = 7,

    /// <summary>The filter expression could not be parsed; the message names the position and token.</summary>
    InvalidFilter = 8,

    /// <summary>The storage engine did not answer in time (busy, locked, unreachable); the call may be retried.</summary>
    StorageUnavailable = 9,

    /// <summary>The storage file or database is damaged or not a registry store.</summary>
    StorageCorrupted = 10,

    /// <summary>The storage was written by a newer version of the library, or is read-only, and cannot be used.</summary>
    StorageIncompatible = 11,
}
