#include "losses.h"

#include "mathconst.h"

#include <cmath>
#include <stdexcept>

namespace rppg::models {

namespace {

// Small enough not to matter for real signals (the network's raw outputs can vary by only
// ~1e-4 early in training), large enough to keep 1/sqrt finite in float32.
constexpr double kZScoreVarianceEpsilon = 1e-10;

void requireSameShape(const torch::Tensor &a, const torch::Tensor &b, const char *what)
{
    if (!a.defined() || !b.defined() || a.sizes() != b.sizes())
        throw std::invalid_argument(std::string(what) + ": prediction and target shapes differ");
}

} // namespace

torch::Tensor zScoreRows(const torch::Tensor &signals)
{
    const auto mean = signals.mean(-1, /*keepdim=*/true);
    const auto centred = signals - mean;
    const auto n = signals.size(-1);
    const auto variance = centred.pow(2).sum(-1, true) / double(std::max<int64_t>(n - 1, 1));
    return centred / torch::sqrt(variance + kZScoreVarianceEpsilon);
}

torch::Tensor negPearsonLoss(const torch::Tensor &prediction, const torch::Tensor &target,
                             SignalNormalisation normalisation, double epsilon)
{
    requireSameShape(prediction, target, "negPearsonLoss");
    if (prediction.dim() != 2)
        throw std::invalid_argument("negPearsonLoss: expected B × T signals");
    auto x = prediction;
    auto y = target.to(prediction.dtype());
    if (normalisation == SignalNormalisation::PerSampleZScore) {
        x = zScoreRows(x);
        y = zScoreRows(y);
    }
    // Centred sums: S_xy / sqrt(S_xx·S_yy) equals the spec's (TΣxy − ΣxΣy) / sqrt(…) exactly, but
    // S_xx ≥ 0 always, whereas TΣx² − (Σx)² cancels catastrophically in float32 and can come out
    // negative for a flat row (a NaN under the square root even with the epsilon).
    const auto xc = x - x.mean(1, /*keepdim=*/true);
    const auto yc = y - y.mean(1, /*keepdim=*/true);
    const auto numerator = (xc * yc).sum(1);
    const auto denominator = torch::sqrt(xc.pow(2).sum(1) * yc.pow(2).sum(1) + epsilon);
    return (1.0 - numerator / denominator).mean();
}

torch::Tensor skinLoss(const torch::Tensor &skinMap, const torch::Tensor &skinLabel)
{
    requireSameShape(skinMap, skinLabel, "skinLoss");
    return torch::binary_cross_entropy(skinMap, skinLabel.to(skinMap.dtype()));
}

RppgNetLossTerms rppgNetLoss(const RppgNetOutput &output, const torch::Tensor &targetPpg,
                             const torch::Tensor &skinLabel, const RppgNetLossWeights &weights)
{
    RppgNetLossTerms terms;
    terms.skinBce = skinLoss(output.skinMap, skinLabel);
    terms.global = negPearsonLoss(output.global, targetPpg);
    terms.aux = negPearsonLoss(output.aux, targetPpg);
    auto local = terms.aux;
    for (size_t i = 0; i < 4; ++i) {
        terms.parts[i] = negPearsonLoss(output.parts[i], targetPpg);
        local = local + terms.parts[i];
    }
    terms.total = weights.skin * terms.skinBce + weights.local * local + weights.global * terms.global;
    if (weights.frequency > 0) {
        terms.frequency = frequencyCrossEntropyLoss(output.global, targetPpg);
        terms.total = terms.total + weights.frequency * terms.frequency;
    }
    return terms;
}

torch::Tensor frequencyCrossEntropyLoss(const torch::Tensor &prediction, const torch::Tensor &target,
                                        double lowCyclesPerFrame, double highCyclesPerFrame, int bins)
{
    requireSameShape(prediction, target, "frequencyCrossEntropyLoss");
    if (prediction.dim() != 2 || prediction.size(1) < 2)
        throw std::invalid_argument("frequencyCrossEntropyLoss: expected B x T signals with T >= 2");
    if (!(lowCyclesPerFrame > 0) || !(highCyclesPerFrame > lowCyclesPerFrame) || highCyclesPerFrame > 0.5 || bins < 2)
        throw std::invalid_argument("frequencyCrossEntropyLoss: bad frequency grid");
    const int64_t T = prediction.size(1);
    const auto opts = prediction.options();
    const auto t = torch::arange(T, opts);
    const auto window = 0.5 - 0.5 * torch::cos(2.0 * kPi * (t + 0.5) / double(T));
    const auto angle = 2.0 * kPi * torch::linspace(lowCyclesPerFrame, highCyclesPerFrame, bins, opts).unsqueeze(1) * t.unsqueeze(0);
    const auto cosBasis = (torch::cos(angle) * window).t();   // T × bins
    const auto sinBasis = (torch::sin(angle) * window).t();
    auto power = [&](const torch::Tensor &x) {
        const auto centred = x - x.mean(1, true);
        return torch::matmul(centred, cosBasis).pow(2) + torch::matmul(centred, sinBasis).pow(2);   // B × bins
    };
    torch::Tensor peak;
    {
        torch::NoGradGuard noGrad;
        peak = power(target.detach().to(prediction.dtype())).argmax(1, true);   // B × 1
    }
    const double eps = 1e-12;
    const auto p = power(prediction);
    const auto logShare = torch::log(p + eps) - torch::log(p.sum(1, true) + eps * bins);
    return -logShare.gather(1, peak).mean();
}

torch::Tensor psnrDb(const torch::Tensor &estimate, const torch::Tensor &reference, double dataRange)
{
    torch::NoGradGuard noGrad;
    const auto mse = torch::mse_loss(estimate.detach(), reference.detach().to(estimate.dtype()));
    // The 1e-7 floor (as in the reference) keeps identical clips finite (about 70 dB at range 1).
    return 10.0 * torch::log10((dataRange * dataRange) / (mse + 1e-7));
}

ReconstructionTerms reconstructionLoss(const torch::Tensor &estimate, const torch::Tensor &reference,
                                       const StvenLossWeights &weights)
{
    requireSameShape(estimate, reference, "reconstructionLoss");
    ReconstructionTerms terms;
    const auto target = reference.to(estimate.dtype());
    terms.l1 = torch::l1_loss(estimate, target);
    terms.mse = torch::mse_loss(estimate, target);
    terms.loss = weights.l1 * terms.l1 + weights.mse * terms.mse;
    terms.psnrDb = psnrDb(estimate, reference, weights.dataRange);
    return terms;
}

StvenLossTerms stvenLoss(const torch::Tensor &enhanced, const torch::Tensor &original,
                         const torch::Tensor &cycled, const torch::Tensor &compressed,
                         const StvenLossWeights &weights)
{
    StvenLossTerms terms;
    terms.reconstruction = reconstructionLoss(enhanced, original, weights);
    terms.cycle = reconstructionLoss(cycled, compressed, weights);
    terms.total = terms.reconstruction.loss + weights.cycle * terms.cycle.loss;
    return terms;
}

JointLossTerms jointLoss(const RppgNetOutput &student, const RppgNetOutput &teacher,
                         const torch::Tensor &targetPpg, const torch::Tensor &skinLabel,
                         const torch::Tensor &enhanced, const torch::Tensor &original,
                         const JointLossWeights &weights)
{
    JointLossTerms terms;
    terms.task = rppgNetLoss(student, targetPpg, skinLabel, weights.task);

    auto perceptual = weights.perceptualSkin * torch::mse_loss(student.skinMap, teacher.skinMap.detach());
    auto parts = torch::zeros({}, student.global.options());
    for (size_t i = 0; i < 4; ++i)
        parts = parts + negPearsonLoss(student.parts[i], teacher.parts[i].detach());
    perceptual = perceptual + weights.perceptualParts * parts
                 + weights.perceptualGlobal * negPearsonLoss(student.global, teacher.global.detach())
                 + weights.perceptualFeatures * torch::mse_loss(student.visual64, teacher.visual64.detach())
                 + weights.perceptualFeatures * torch::mse_loss(student.visual32, teacher.visual32.detach());
    terms.perceptual = perceptual;

    terms.reconstruction = reconstructionLoss(enhanced, original, weights.reconstruction);
    terms.total = terms.task.total + weights.perceptual * terms.perceptual
                  + weights.stven * terms.reconstruction.loss;
    return terms;
}

void freezeModule(torch::nn::Module &module)
{
    for (auto &p : module.parameters())
        p.requires_grad_(false);
    module.eval();
}

} // namespace rppg::models
