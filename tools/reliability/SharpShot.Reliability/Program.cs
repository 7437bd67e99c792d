using SharpShot.Reliability;

// Reliability checks of issue 16 (parts 4 and 6); tools/reliability/*.sh drive them. Exit codes: 0 passed, 1 failed, 2 usage.
const string Usage = """
    usage: SharpShot.Reliability <command> [--option value]…
      train        --workload supervised|protonet|maml|… [--size full|tiny] [--checkpoint PATH]
      kill-resume  [--kills 24] [--seed 1] [--workloads supervised,protonet,maml] [--size full|tiny] [--work DIR] [--onednn off|on]
      memory       [--target supervised|protonet|maml|fomaml|reptile|anil|metasgd|onnx|fewshot] [--steps 10000] [--first 1000] [--limit 5]
      threads      [--threads 16] [--calls 10000]
      dispose      [--tries 1000] [--threads 8] [--seed 1]
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

// One LibTorch thread: the same arithmetic in every process (a resumed run must match an unbroken one bit for bit), and a
// bounded load on shared machines.
TorchSharp.torch.set_num_threads(1);
try
{
    var options = new Options(args.Skip(1));
    return args[0] switch
    {
        "train" => TrainCommand.Run(options),
        "kill-resume" => KillResumeCommand.Run(options),
        "memory" => MemoryCommand.Run(options),
        "threads" => ThreadsCommand.Run(options),
        "dispose" => DisposeCommand.Run(options),
        _ => throw new UsageException($"Unknown command '{args[0]}'.\n{Usage}"),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
