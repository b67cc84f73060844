// Writes small, valid rPPGNet and STVEN checkpoints into a folder: the seed corpus of
// fuzz_checkpoint (real files in the real format, made with the project's own saver).
//   fuzz_checkpoint_seeds OUT_DIR

#include "checkpoint.h"

#include <cstdio>
#include <string>

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_checkpoint_seeds OUT_DIR\n");
        return 2;
    }
    const std::string out = argv[1];
    torch::manual_seed(1);
    rppg::models::CheckpointMeta meta;
    meta.trainingData = "fuzz seed";
    meta.training["lr"] = "0.001";
    meta.metrics["val_mae_bpm"] = 3.5;
    std::string error;

    rppg::models::RppgNetConfig rc;
    rc.frames = 8;
    rc.inputSize = 16;
    rc.stemChannels = 2;
    rc.stage1Channels = 2;
    rc.stage2Channels = 2;
    rc.stage3Channels = 2;
    rc.skinHiddenChannels = 2;
    rc.skinChannels = 2;
    rc.registerUnusedModules = false;
    rppg::models::RppgNet rnet(rc);
    if (!rppg::models::saveRppgNet(out + "/rppgnet_tiny.rppgckpt", rnet, meta, &error)) {
        std::fprintf(stderr, "rppgnet: %s\n", error.c_str());
        return 1;
    }
    rppg::models::StvenConfig sc;
    sc.convDim = 2;
    sc.bottleneckChannels = 4;
    sc.repeatNum = 1;
    sc.cDim = 2;
    sc.frames = 4;
    sc.inputSize = 8;
    rppg::models::Stven snet(sc);
    if (!rppg::models::saveStven(out + "/stven_tiny.rppgckpt", snet, meta, &error)) {
        std::fprintf(stderr, "stven: %s\n", error.c_str());
        return 1;
    }
    return 0;
}
