// Compiled by MSBuild's RoslynCodeTaskFactory from SharpShot.targets (and linked into the tests);
// not part of SharpShot.dll. Keep it to the BCL and Microsoft.Build.Utilities.
//
// Why: TorchSharp 0.107's libLibTorchSharp.so lists GLIBCXX_3.4.32 (GCC 13's libstdc++) among the
// versions it needs, for a marker symbol it never calls. On GCC 12 systems (Debian 12, Ubuntu 22.04)
// the dynamic loader then refuses the library. Setting VER_FLG_WEAK on that one version-need entry
// turns the hard requirement into a warning-level one; the library then loads and works.

#nullable enable

using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;

/// <summary>Reads and edits the version-need table (.gnu.version_r) of a 64-bit little-endian ELF file.</summary>
public static class ElfVersionNeeds
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    /// <summary>VER_FLG_WEAK: the loader treats a missing version as non-fatal.</summary>
    public const ushort WeakFlag = 0x2;

    /// <summary>One entry of the table: the library that must provide a version, the version and its flags.</summary>
    public sealed class Need
    {
        /// <summary>Creates an entry.</summary>
        public Need(string file, string version, ushort flags, int flagsOffset)
        {
            File = file;
            Version = version;
            Flags = flags;
            FlagsOffset = flagsOffset;
        }

        /// <summary>The needed library, e.g. libstdc++.so.6.</summary>
        public string File { get; }
        /// <summary>The needed version, e.g. GLIBCXX_3.4.32.</summary>
        public string Version { get; }
        /// <summary>vna_flags.</summary>
        public ushort Flags { get; }
        /// <summary>Byte offset of vna_flags in the file.</summary>
        public int FlagsOffset { get; }
    }

    /// <summary>Lists every version need of an ELF image; empty when the image is not 64-bit little-endian ELF or has no table.</summary>
    public static List<Need> Read(byte[] image)
    {
        var needs = new List<Need>();
        if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F'
            || image[4] != 2 /* ELFCLASS64 */ || image[5] != 1 /* little-endian */)
        {
            return needs;
        }

        long sectionTable = ReadInt64(image, 0x28);
        int sectionSize = ReadUInt16(image, 0x3A);
        int sectionCount = ReadUInt16(image, 0x3C);
        for (int s = 0; s < sectionCount; s++)
        {
            int header = checked((int)(sectionTable + (long)s * sectionSize));
            if (ReadUInt32(image, header + 4) != ShtGnuVerneed)
            {
                continue;
            }

            int tableOffset = checked((int)ReadInt64(image, header + 0x18));
            int stringSection = checked((int)ReadUInt32(image, header + 0x28));
            int entryCount = checked((int)ReadUInt32(image, header + 0x2C));
            int strings = checked((int)ReadInt64(image, checked((int)(sectionTable + (long)stringSection * sectionSize)) + 0x18));

            int need = tableOffset;
            for (int n = 0; n < entryCount; n++)
            {
                int auxCount = ReadUInt16(image, need + 2);
                string file = ReadString(image, strings + checked((int)ReadUInt32(image, need + 4)));
                int aux = need + checked((int)ReadUInt32(image, need + 8));
                for (int a = 0; a < auxCount; a++)
                {
                    string version = ReadString(image, strings + checked((int)ReadUInt32(image, aux + 8)));
                    needs.Add(new Need(file, version, ReadUInt16(image, aux + 4), aux + 4));
                    aux += checked((int)ReadUInt32(image, aux + 12));
                }

                need += checked((int)ReadUInt32(image, need + 12));
            }
        }

        return needs;
    }

    /// <summary>Sets VER_FLG_WEAK on the named versions; returns the versions changed (already-weak ones are not).</summary>
    public static List<string> MarkWeak(byte[] image, ICollection<string> versions)
    {
        var changed = new List<string>();
        foreach (Need need in Read(image))
        {
            if (versions.Contains(need.Version) && (need.Flags & WeakFlag) == 0)
            {
                ushort flags = (ushort)(need.Flags | WeakFlag);
                image[need.FlagsOffset] = (byte)flags;
                image[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed.Add(need.Version);
            }
        }

        return changed;
    }

    /// <summary>True when the file holds the NUL-terminated version name (a libstdc++ defines every version it provides as such a string).</summary>
    public static bool LibraryDefinesVersion(string libraryPath, string version)
    {
        byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
        byte[] haystack = File.ReadAllBytes(libraryPath);
        // A plain scan: MSBuild compiles this file against netstandard, without span search.
        for (int start = Array.IndexOf(haystack, needle[0]); start >= 0 && start <= haystack.Length - needle.Length;
             start = Array.IndexOf(haystack, needle[0], start + 1))
        {
            int matched = 1;
            while (matched < needle.Length && haystack[start + matched] == needle[matched])
            {
                matched++;
            }

            if (matched == needle.Length)
            {
                return true;
            }
        }

        return false;
    }

    private static ushort ReadUInt16(byte[] b, int o) => (ushort)(b[o] | (b[o + 1] << 8));
    private static uint ReadUInt32(byte[] b, int o) => (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));
    private static long ReadInt64(byte[] b, int o) => (long)(ReadUInt32(b, o) | ((ulong)ReadUInt32(b, o + 4) << 32));

    private static string ReadString(byte[] b, int o)
    {
        int end = Array.IndexOf(b, (byte)0, o);
        return Encoding.ASCII.GetString(b, o, (end < 0 ? b.Length : end) - o);
    }
}

/// <summary>
/// MSBuild task: where the system's libstdc++ lacks one of <see cref="Versions"/>, marks that version
/// need as weak in each of <see cref="Libraries"/> (copies in the build output; never the NuGet cache).
/// </summary>
public class SharpShotWeakenGlibcxxNeed : Microsoft.Build.Utilities.Task
{
    /// <summary>The output copies of libLibTorchSharp.so to fix.</summary>
    [Required]
    public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Semicolon-separated version names that may be made weak, e.g. GLIBCXX_3.4.32.</summary>
    [Required]
    public string Versions { get; set; } = "";

    /// <summary>Where to look for the system libstdc++.so.6, first match wins.</summary>
    public string[] SearchDirectories { get; set; } = new[]
    {
        "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
        "/lib64", "/usr/lib64", "/lib", "/usr/lib",
    };

    /// <inheritdoc />
    public override bool Execute()
    {
        string? libstdcxx = null;
        foreach (string directory in SearchDirectories)
        {
            string candidate = Path.Combine(directory, "libstdc++.so.6");
            if (File.Exists(candidate))
            {
                libstdcxx = candidate;
                break;
            }
        }

        if (libstdcxx is null)
        {
            Log.LogMessage(MessageImportance.Low, "SharpShot: no system libstdc++.so.6 found; TorchSharp's native library is left as shipped.");
            return true;
        }

        var missing = new HashSet<string>(StringComparer.Ordinal);
        foreach (string version in Versions.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!ElfVersionNeeds.LibraryDefinesVersion(libstdcxx, version.Trim()))
            {
                missing.Add(version.Trim());
            }
        }

        if (missing.Count == 0)
        {
            return true;
        }

        foreach (ITaskItem item in Libraries)
        {
            string path = item.GetMetadata("FullPath");
            byte[] image = File.ReadAllBytes(path);
            List<string> changed = ElfVersionNeeds.MarkWeak(image, missing);
            if (changed.Count == 0)
            {
                continue;
            }

            // Write beside the target, then rename: a build interrupted here never leaves a half-written library.
            string temporary = path + ".sharpshot-tmp";
            File.WriteAllBytes(temporary, image);
            File.Replace(temporary, path, destinationBackupFileName: null);
            Log.LogMessage(MessageImportance.Normal,
                $"SharpShot: {libstdcxx} lacks {string.Join(", ", changed)}; marked that need weak in {path} so TorchSharp loads (see README, Troubleshooting).");
        }

        return true;
    }
}
