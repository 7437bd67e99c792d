// Writes the Fashion-MNIST test images as PNG files in class sub-folders (OUT/<class>/<index>.png), byte for byte the
// IDX pixels, so `sharpshot predict MODEL OUT` can be compared with the accuracy on the IDX tensors.
// Usage: dotnet run --project benchmarks/ImageAccuracy -c Release -- [--data DIR] --out DIR
using SharpShot.Data;
using SharpShot.Testing;

string? data = null, output = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data" when i + 1 < args.Length: data = args[++i]; break;
        case "--out" when i + 1 < args.Length: output = args[++i]; break;
        default:
            Console.Error.WriteLine($"error: unknown argument '{args[i]}'. Usage: [--data DIR] --out DIR");
            return 2;
    }
}

if (output is null)
{
    Console.Error.WriteLine("error: --out DIR is required.");
    return 2;
}

string? folder = FashionMnist.Locate(data);
if (folder is null)
{
    Console.Error.WriteLine("error: no Fashion-MNIST found (--data, $SHARPSHOT_DATA, /usr/share/datasets/fashion-mnist).");
    return 1;
}

string File(string name) => new[] { name, name + ".gz" }.Select(n => Path.Combine(folder, n)).First(System.IO.File.Exists);
byte[] pixels = (byte[])IdxReader.Read(File("t10k-images-idx3-ubyte")).Data;
byte[] labels = (byte[])IdxReader.Read(File("t10k-labels-idx1-ubyte")).Data;
int count = labels.Length;
for (int i = 0; i < count; i++)
{
    string dir = Path.Combine(output, FashionMnist.ClassNames[labels[i]].Replace('/', '-'));
    Directory.CreateDirectory(dir);
    System.IO.File.WriteAllBytes(Path.Combine(dir, $"{i:D5}.png"), TestImages.Png(28, 28, pixels[(i * 784)..((i + 1) * 784)]));
}

Console.WriteLine($"wrote {count:N0} PNG files under {Path.GetFullPath(output)}");
return 0;
