using SharpShot;

namespace PackageCheck;

// Dense after Conv2d without Flatten: the generator from the package must report SS0002 here, and the build must fail.
[Model(1, 12, 12)]
[Conv2d(4, 3), Relu, Dense(3)]
public partial class BrokenModel;
