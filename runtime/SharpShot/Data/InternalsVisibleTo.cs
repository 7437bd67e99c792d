using System.Runtime.CompilerServices;

// The data tests drive FashionMnist's search order with a stand-in environment value and system folder
// (the internal Locate overload), so that they never depend on what is installed on the machine.
[assembly: InternalsVisibleTo("SharpShot.Tests")]

// The benchmarks time Conv2d's channels-last route directly and switch it off and on (ChannelsLastConvolution.Enabled).
[assembly: InternalsVisibleTo("SharpShot.Benchmarks")]
