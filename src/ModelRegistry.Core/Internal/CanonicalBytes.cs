using System.Buffers.Binary;
using System.Text;

namespace ModelRegistry.Internal;

/// <summary>
/// The canonical byte form hashed and signed by the audit chain and its checkpoints: big-endian 64-bit integers and
/// length-prefixed UTF-8 strings, so no two different sequences of fields share bytes.
/// </summary>
internal static class CanonicalBytes
{
    public static void WriteInt64(Stream s, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        s.Write(bytes);
    }

    public static void WriteString(Stream s, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteInt64(s, bytes.Length);
        s.Write(bytes);
    }
}
