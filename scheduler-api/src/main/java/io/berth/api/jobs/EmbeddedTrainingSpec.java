package io.berth.api.jobs;

import io.berth.api.errors.FieldError;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.ArrayList;
import java.util.List;

/**
 * The control plane's check of an embedded training spec at submission, so a bad spec is a 400 naming the field
 * instead of a job that fails on the agent. It mirrors the node agent's TrainingSpec (the agent checks again when it
 * starts the worker); values are case-insensitive names such as "mlp", "relu", "adam". Unknown fields are refused.
 */
record EmbeddedTrainingSpec(@Valid Model model, @NotNull @Valid Data data, @Valid Optimizer optimizer,
                            @Min(1) @Max(1_000_000) Integer batchSize,
                            @Min(1) @Max(1_000_000) Integer epochs,
                            @Min(0) @Max(1_000_000) Integer checkpointEveryEpochs,
                            Long seed) {
    private static final String I = "(?i)";

    record Model(@Pattern(regexp = I + "linear|mlp|cnn", message = "must be one of linear, mlp, cnn") String type,
                 @Size(max = 64) List<@NotNull @Min(1) @Max(100_000) Integer> hiddenLayers,
                 @Pattern(regexp = I + "relu|tanh|sigmoid", message = "must be one of relu, tanh, sigmoid") String activation,
                 @Min(1) @Max(256) Integer filters,
                 @Min(1) @Max(15) Integer kernelSize) {
    }

    record Data(@NotNull @Pattern(regexp = I + "generated|csv", message = "must be one of generated, csv") String type,
                @Pattern(regexp = I + "linear|xor|spirals|blobs|bars",
                        message = "must be one of linear, xor, spirals, blobs, bars") String generator,
                @Min(1) @Max(10_000_000) Integer samples,
                @Min(1) @Max(10_000) Integer features,
                @Min(0) @Max(100_000) Integer classes,
                @DecimalMin("0") @DecimalMax("100") Double noise,
                Long seed,
                @Size(min = 1, max = 4096) String path) {
    }

    record Optimizer(@Pattern(regexp = I + "sgd|momentum|adam", message = "must be one of sgd, momentum, adam") String type,
                     @DecimalMin(value = "0", inclusive = false) @DecimalMax("100") Double learningRate,
                     @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double momentum,
                     @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double beta1,
                     @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double beta2,
                     @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Double epsilon) {
    }

    /** Rules across fields (paths relative to the spec). */
    List<FieldError> crossFieldErrors() {
        List<FieldError> errors = new ArrayList<>();
        boolean csv = "csv".equalsIgnoreCase(data.type());
        if (csv && data.path() == null) errors.add(new FieldError("data.path", "required for csv data"));
        if (!csv && data.generator() == null) errors.add(new FieldError("data.generator", "required for generated data"));
        if (!csv && data.path() != null) errors.add(new FieldError("data.path", "only for csv data"));
        String generator = data.generator() == null ? "" : data.generator().toLowerCase();
        if ((generator.equals("xor") || generator.equals("spirals")) && data.features() != null && data.features() != 2)
            errors.add(new FieldError("data.features", "the " + generator + " generator produces exactly 2 features"));
        if (generator.equals("linear") && data.classes() != null)
            errors.add(new FieldError("data.classes", "not allowed for the linear (regression) generator"));
        if (model != null && !"cnn".equalsIgnoreCase(model.type()) && (model.filters() != null || model.kernelSize() != null))
            errors.add(new FieldError(model.filters() != null ? "model.filters" : "model.kernelSize", "only for model type cnn"));
        if (model != null && "linear".equalsIgnoreCase(model.type()) && model.hiddenLayers() != null
                && !model.hiddenLayers().isEmpty())
            errors.add(new FieldError("model.hiddenLayers", "must be empty for model type linear"));
        return errors;
    }
}
