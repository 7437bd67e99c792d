namespace SharpShot.Testing;

/// <summary>The CRC-32 of PNG chunks and zip entries, for tests that write such files by hand or repair them after a mutation.</summary>
internal static class Crc32
{
    /// <summary>The CRC-32 (polynomial 0xEDB88320) of <paramref name="bytes"/>.</summary>
    public static uint Of(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return crc ^ 0xFFFFFFFFu;
    }
}
