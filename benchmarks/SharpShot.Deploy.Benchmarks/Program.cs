using BenchmarkDotNet.Running;

// TorchSharp eager runs as an app's would: SharpShot's defaults, LibTorch's intra-op threads one per core (set here
// explicitly); ONNX Runtime runs with OnnxModelOptions' defaults (its own thread choice: one per core).
TorchSharp.torch.set_num_threads(Environment.ProcessorCount);
Console.WriteLine($"// LibTorch intra-op threads: {TorchSharp.torch.get_num_threads()}; ONNX Runtime: OnnxModelOptions defaults; {Environment.ProcessorCount} cores");
if (SharpShot.Deploy.Benchmarks.AdaptiveComparison.TryRun(args))
{
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
