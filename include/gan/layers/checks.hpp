#pragma once
// The run-time checks of the layers: the batch size is the one extent the compiler cannot check.
#include <cstddef>
#include <string>

#include "gan/core/error.hpp"

GAN_NAMESPACE_BEGIN
namespace detail {

// backward() must see the batch that forward() cached.
inline void check_backward_batch(const char* layer, std::size_t forward_batch, std::size_t grad_batch) {
    if (forward_batch == 0)
        throw shape_error(std::string("gan::") + layer + "::backward: no forward pass to differentiate; call "
                          "forward() first");
    if (grad_batch != forward_batch)
        throw shape_error(std::string("gan::") + layer + "::backward: the output gradient has batch size " +
                          std::to_string(grad_batch) + " but the last forward() had batch size " +
                          std::to_string(forward_batch) + "; pass the gradient of that forward pass's output");
}

inline void check_nonempty(const char* layer, std::size_t batch) {
    if (batch == 0)
        throw shape_error(std::string("gan::") + layer + "::forward: the input batch is empty; give at least one sample");
}

}  // namespace detail
GAN_NAMESPACE_END
