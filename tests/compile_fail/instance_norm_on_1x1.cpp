// InstanceNorm2d on the 1x1 bottleneck has no spatial statistics (PyTorch refuses it at run
// time; here it does not compile).
// expected-error: InstanceNorm2d: a 1x1 plane has no spatial statistics
#include <gan/layers/instance_norm2d.hpp>

#ifdef GAN_SHOULD_FAIL_TO_BUILD
using In = gan::Shape<512, 1, 1>;
#else
using In = gan::Shape<512, 2, 2>;
#endif
template class gan::InstanceNorm2d<float, In>;
