using System.Buffers.Binary;

namespace SharpShot.Imaging;

/// <summary>
/// Checks a JPEG's marker structure before decoding: every marker segment's declared length is at least 2 and ends
/// within the data, through every scan to the end. A corrupt length (one that points past the data) otherwise sends the
/// decoder reading past the end, which can loop without end (found by fuzzing: tests/Fuzz/crashers/jpeg/).
/// </summary>
internal static class JpegStructure
{
    /// <summary>Walks the segments from the SOI marker.</summary>
    /// <exception cref="ImageDecodeException">A segment is shorter than its length field or runs past the data; the message says where.</exception>
    public static void Check(byte[] data, string? sourceName)
    {
        int position = 2; // after SOI
        while (position < data.Length)
        {
            if (data[position] != 0xFF)
            {
                throw new ImageDecodeException($"the JPEG data is corrupt: expected a marker (FF xx) at byte {position}, found {data[position]:X2}.", sourceName);
            }

            // Fill bytes (FF FF ...) may precede a marker.
            while (position < data.Length && data[position] == 0xFF)
            {
                position++;
            }

            if (position >= data.Length)
            {
                throw new ImageDecodeException($"the JPEG data is truncated: it ends inside a marker at byte {position}.", sourceName);
            }

            byte marker = data[position++];
            if (marker == 0xD9)
            {
                return; // EOI
            }

            if (marker is 0x01 or 0xD8 or (>= 0xD0 and <= 0xD7))
            {
                continue; // markers without a length
            }

            if (data.Length - position < 2)
            {
                throw new ImageDecodeException($"the JPEG data is truncated: marker FF {marker:X2} at byte {position - 2} has no length.", sourceName);
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(position));
            if (length < 2 || length > data.Length - position)
            {
                throw new ImageDecodeException(
                    $"the JPEG data is truncated or corrupt: segment FF {marker:X2} at byte {position - 2} declares {length} bytes but {data.Length - position} remain.", sourceName);
            }

            position += length;
            if (marker == 0xDA)
            {
                // Entropy-coded data follows a scan header, up to the next marker that is not a stuffed zero or a restart.
                while (position < data.Length - 1 && !(data[position] == 0xFF && data[position + 1] != 0x00 && data[position + 1] is < 0xD0 or > 0xD7))
                {
                    position++;
                }

                if (position >= data.Length - 1)
                {
                    return; // no EOI: decoders accept a cut-off scan, and the decoder sees the end of the data here
                }
            }
        }
    }
}
