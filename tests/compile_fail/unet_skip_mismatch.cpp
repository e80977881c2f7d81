// A U-Net skip whose encoder and decoder tensors differ in size (a decoder one level off).
// expected-error: concat_needs_equal_height_and_width<gan::v0_1::Shape<64, 32, 32>, gan::v0_1::Shape<64, 16, 16> >
#include <gan/layers/concat.hpp>

#ifdef GAN_SHOULD_FAIL_TO_BUILD
using Decoded = gan::Shape<64, 16, 16>;
#else
using Decoded = gan::Shape<64, 32, 32>;
#endif
template class gan::Concat<float, gan::Shape<64, 32, 32>, Decoded>;
