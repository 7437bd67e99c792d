using System.Security.Cryptography;

namespace SharpShot.Testing;

/// <summary>
/// The SHA-256 of a format-2 checkpoint (bytes 32–63: the hash of bytes 0–31 and of everything from byte 64), computed
/// here independently of the runtime, for tests that edit a checkpoint as a writer would or repair one after a mutation.
/// </summary>
internal static class CheckpointChecksum
{
    private const int HashOffset = 32;
    private const int PrefixLength = 64;

    /// <summary>Writes the checksum of <paramref name="file"/> into it; a file shorter than the prefix is left as it is.</summary>
    public static void WriteInto(byte[] file)
    {
        if (file.Length < PrefixLength)
        {
            return;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(file, 0, HashOffset);
        hash.AppendData(file, PrefixLength, file.Length - PrefixLength);
        hash.GetHashAndReset().CopyTo(file, HashOffset);
    }
}
