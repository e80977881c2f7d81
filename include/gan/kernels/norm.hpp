#pragma once
// Batch and instance normalisation, with an activation fused into the same pass.
//
// Both norms normalise groups of elements: BatchNorm2d one group per channel (all samples and
// pixels), InstanceNorm2d one group per (sample, channel). A group is `segments` runs of `length`
// contiguous elements, `segment_stride` apart, starting at g · group_stride. Groups run in
// parallel; each group's sums run in one fixed order, so results do not depend on the threads.
#include <cmath>
#include <cstddef>

#include "gan/core/backend.hpp"
#include "gan/kernels/parallel.hpp"
#include "gan/kernels/simd.hpp"

GAN_SIMD_KERNELS_BEGIN
GAN_NAMESPACE_BEGIN
namespace kernels {

struct NormGeometry {
    std::size_t groups = 0;
    std::size_t channels = 0;  // affine parameters are indexed by g % channels
    std::size_t segments = 0;
    std::size_t segment_stride = 0;
    std::size_t group_stride = 0;
    std::size_t length = 0;

    std::size_t count() const noexcept { return segments * length; }

    static NormGeometry batch_norm(std::size_t batch, std::size_t channels, std::size_t plane) {
        return {channels, channels, batch, channels * plane, plane, plane};
    }
    static NormGeometry instance_norm(std::size_t batch, std::size_t channels, std::size_t plane) {
        return {batch * channels, channels, 1, 0, plane, plane};
    }
};

namespace detail {
// Calls f(offset, lanes) for every vector of group g, in a fixed order.
template <Scalar T, class F>
void for_each_group_vector(const NormGeometry& g, std::size_t group, F&& f) {
    for (std::size_t s = 0; s < g.segments; ++s) {
        const std::size_t base = group * g.group_stride + s * g.segment_stride;
        simd::for_each_vector<T>(g.length, [&](std::size_t i, std::size_t lanes) { f(base + i, lanes); });
    }
}
}  // namespace detail

template <Scalar T>
struct NormStatistics {
    T mean, var;  // the variance biased (divided by the count)
};

// The mean and biased variance of group `group` of x, in two passes of one fixed order: the
// statistics norm_forward_train normalises by, and the fused inference passes that normalise a
// channel at a time (BatchNorm2d::batch_channel) with the same bits.
template <Scalar T>
NormStatistics<T> group_statistics(const NormGeometry& g, std::size_t group, const T* x) {
    using V = simd::vec<T>;
    const double count = double(g.count());
    simd::Accumulator<T> sum;
    detail::for_each_group_vector<T>(g, group, [&](std::size_t k, std::size_t lanes) { sum.add(simd::load_partial(x + k, lanes)); });
    const T m = T(sum.total() / count);
    simd::Accumulator<T> squares;
    detail::for_each_group_vector<T>(g, group, [&](std::size_t k, std::size_t lanes) {
        // Padding lanes load m, so they contribute zero.
        const V d = simd::load_partial(x + k, lanes, m) - V(m);
        squares.add(d * d);
    });
    return {m, T(squares.total() / count)};
}

// Training-mode forward: per group, the mean and biased variance of x (two passes), then
// xhat = (x − mean) / sqrt(var + eps) and y = op(gamma · xhat + beta). gamma and beta may be
// null (no affine transform). Writes xhat for the backward pass and mean[g], var[g] (biased).
template <Scalar T, class Op>
void norm_forward_train(cpu, const NormGeometry& g, const T* x, const T* gamma, const T* beta, T eps, const Op& op,
                        T* y, T* xhat, T* mean, T* var) {
    detail::parallel_items(g.groups, [&](std::size_t group) {
        using V = simd::vec<T>;
        const auto [m, v] = group_statistics(g, group, x);
        const T invstd = T(1) / std::sqrt(v + eps);
        mean[group] = m;
        var[group] = v;
        const std::size_t c = group % g.channels;
        const V w(gamma ? gamma[c] : T(1)), b(beta ? beta[c] : T(0));
        detail::for_each_group_vector<T>(g, group, [&](std::size_t k, std::size_t lanes) {
            const V h = (simd::load_partial(x + k, lanes) - V(m)) * V(invstd);
            simd::store_partial(xhat + k, h, lanes);
            simd::store_partial(y + k, op(simd::fma(h, w, b)), lanes);
        });
    });
}

// The evaluation-mode normalisation of one channel: xhat = (x − mean) / sqrt(var + eps) and
// gamma · xhat + beta, computed in one place so that the fused inference passes (which hand the
// values on to an activation or two, see UNetBlock) give the bits of norm_forward_eval.
template <Scalar T>
class ChannelNormalisation {
public:
    ChannelNormalisation(T mean, T var, T eps, T gamma, T beta)
        : mean_(mean), invstd_(T(1) / std::sqrt(var + eps)), gamma_(gamma), beta_(beta) {}

    // Calls store(i, xhat, y, lanes) for each vector of the n values at x.
    template <class Store>
    void apply(const T* x, std::size_t n, Store&& store) const {
        using V = simd::vec<T>;
        const V m(mean_), invstd(invstd_), w(gamma_), b(beta_);
        simd::for_each_vector<T>(n, [&](std::size_t i, std::size_t lanes) {
            const V h = (simd::load_partial(x + i, lanes) - m) * invstd;
            store(i, h, simd::fma(h, w, b), lanes);
        });
    }

private:
    T mean_, invstd_, gamma_, beta_;
};

// Evaluation-mode forward with given statistics (BatchNorm2d's running mean and variance);
// xhat may be null (the inference pass keeps nothing for backward).
template <Scalar T, class Op>
void norm_forward_eval(cpu, const NormGeometry& g, const T* x, const T* gamma, const T* beta, const T* mean,
                       const T* var, T eps, const Op& op, T* y, T* xhat) {
    detail::parallel_items(g.groups, [&](std::size_t group) {
        const std::size_t c = group % g.channels;
        const ChannelNormalisation<T> norm(mean[c], var[c], eps, gamma ? gamma[c] : T(1), beta ? beta[c] : T(0));
        for (std::size_t s = 0; s < g.segments; ++s) {
            const std::size_t base = group * g.group_stride + s * g.segment_stride;
            norm.apply(x + base, g.length, [&](std::size_t i, auto h, auto affine, std::size_t lanes) {
                if (xhat) simd::store_partial(xhat + base + i, h, lanes);
                simd::store_partial(y + base + i, op(affine), lanes);
            });
        }
    });
}

// Backward through op and the normalisation. With batch statistics (train = true)
//   dx = gamma·invstd · (g − mean(g) − xhat · mean(g·xhat)),  g = dy · op'(y),
// else (fixed statistics) dx = gamma·invstd·g, with invstd = 1/sqrt(var + eps) from the batch
// variance var[group] or the running variance var[channel]. gamma and beta gradients are
// accumulated when the pointers are not null.
template <Scalar T, class Op>
void norm_backward(cpu, const NormGeometry& g, bool train, const T* xhat, const T* dy, const T* gamma,
                   const T* beta, const T* var, T eps, const Op& op, T* dx, T* dgamma, T* dbeta) {
    detail::parallel_items(g.groups, [&](std::size_t group) {
        using V = simd::vec<T>;
        const std::size_t c = group % g.channels;
        const V w(gamma ? gamma[c] : T(1)), b(beta ? beta[c] : T(0));
        simd::Accumulator<T> sum_g, sum_gx;
        // Pass 1: g into dx, and its sums.
        detail::for_each_group_vector<T>(g, group, [&](std::size_t k, std::size_t lanes) {
            const V h = simd::load_partial(xhat + k, lanes);
            // Padding lanes get dy = 0, so they add nothing to the sums.
            const V gk = op.grad(op(simd::fma(h, w, b)), simd::load_partial(dy + k, lanes));
            sum_g.add(gk);
            sum_gx.add(gk * h);
            simd::store_partial(dx + k, gk, lanes);
        });
        const double sg = sum_g.total(), sgx = sum_gx.total();
        if (dgamma) dgamma[c] += T(sgx);
        if (dbeta) dbeta[c] += T(sg);
        const T scale = (gamma ? gamma[c] : T(1)) / std::sqrt(var[train ? group : c] + eps);
        const double count = double(g.count());
        const V mean_g(train ? T(sg / count) : T(0)), mean_gx(train ? T(sgx / count) : T(0));
        // Pass 2: dx in place.
        detail::for_each_group_vector<T>(g, group, [&](std::size_t k, std::size_t lanes) {
            const V h = simd::load_partial(xhat + k, lanes);
            const V gk = simd::load_partial(dx + k, lanes);
            simd::store_partial(dx + k, V(scale) * (gk - mean_g - h * mean_gx), lanes);
        });
    });
}

// running = (1 − momentum) · running + momentum · batch statistic, with the variance made
// unbiased by count / (count − 1), as PyTorch does.
template <Scalar T>
void norm_update_running(cpu, std::size_t channels, std::size_t count, T momentum, const T* mean, const T* var,
                         T* running_mean, T* running_var) {
    const T unbias = T(count) / T(count - 1);
    for (std::size_t c = 0; c < channels; ++c) {
        running_mean[c] = (T(1) - momentum) * running_mean[c] + momentum * mean[c];
        running_var[c] = (T(1) - momentum) * running_var[c] + momentum * var[c] * unbias;
    }
}

}  // namespace kernels
GAN_NAMESPACE_END
GAN_SIMD_KERNELS_END
