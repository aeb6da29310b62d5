package io.berth.core.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * The embedded runtime's training spec ({@code runtime.embedded}) as the user writes it: null = the default, which
 * the node agent fills in when it starts the worker (its {@code training.TrainingSpec} documents them: model mlp
 * [16,16] relu, optimizer adam 0.01, batchSize 32, epochs 10, checkpointEveryEpochs 1, seed 42). Names such as
 * "mlp", "relu", "adam" are case-insensitive. Unknown fields are refused at submission. Null fields are left out of
 * the JSON, so a stored or forwarded spec reads exactly as it was written.
 *
 * <pre>{@code
 * {"model":{"type":"mlp","hiddenLayers":[16,16],"activation":"relu"},
 *  "data":{"type":"generated","generator":"spirals","samples":2000,"features":2,"classes":3,"noise":0.1,"seed":1},
 *  "optimizer":{"type":"adam","learningRate":0.01},
 *  "batchSize":64,"epochs":20,"checkpointEveryEpochs":1,"seed":42}
 * }</pre>
 *
 * @param batchSize             global batch size per replica, split across its device threads
 * @param checkpointEveryEpochs write a checkpoint every N epochs and after the last; 0 = only after the last
 * @param seed                  seeds parameter initialisation and the per-epoch shuffle
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingSpec(@Valid Model model, @NotNull @Valid Data data, @Valid Optimizer optimizer,
                           @Min(1) @Max(1_000_000) Integer batchSize,
                           @Min(1) @Max(1_000_000) Integer epochs,
                           @Min(0) @Max(1_000_000) Integer checkpointEveryEpochs,
                           Long seed) {
    private static final String I = "(?i)";

    /**
     * @param hiddenLayers widths of the hidden (dense) layers; must be empty for linear
     * @param filters      cnn only: number of convolution kernels
     * @param kernelSize   cnn only: kernel side
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Model(@Pattern(regexp = I + "linear|mlp|cnn", message = "must be one of linear, mlp, cnn") String type,
                        @Size(max = 64) List<@NotNull @Min(1) @Max(100_000) Integer> hiddenLayers,
                        @Pattern(regexp = I + "relu|tanh|sigmoid", message = "must be one of relu, tanh, sigmoid") String activation,
                        @Min(1) @Max(256) Integer filters,
                        @Min(1) @Max(15) Integer kernelSize) {
    }

    /**
     * @param generator required for generated data
     * @param noise     standard deviation of the Gaussian noise added to each feature or to the target
     * @param path      csv only (required there): numeric columns, last column = target or class index
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Data(@NotNull @Pattern(regexp = I + "generated|csv", message = "must be one of generated, csv") String type,
                       @Pattern(regexp = I + "linear|xor|spirals|blobs|bars",
                               message = "must be one of linear, xor, spirals, blobs, bars") String generator,
                       @Min(1) @Max(10_000_000) Integer samples,
                       @Min(1) @Max(10_000) Integer features,
                       @Min(0) @Max(100_000) Integer classes,
                       @DecimalMin("0") @DecimalMax("100") Double noise,
                       Long seed,
                       @Size(min = 1, max = 4096) String path) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Optimizer(@Pattern(regexp = I + "sgd|momentum|adam", message = "must be one of sgd, momentum, adam") String type,
                            @DecimalMin(value = "0", inclusive = false) @DecimalMax("100") Double learningRate,
                            @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double momentum,
                            @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double beta1,
                            @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double beta2,
                            @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Double epsilon) {
    }

    /** Rules across fields (paths relative to the spec); call after Bean Validation passed. */
    public List<SpecError> crossFieldErrors() {
        List<SpecError> errors = new ArrayList<>();
        boolean csv = "csv".equalsIgnoreCase(data.type());
        if (csv && data.path() == null) errors.add(new SpecError("data.path", "required for csv data"));
        if (!csv && data.generator() == null) errors.add(new SpecError("data.generator", "required for generated data"));
        if (!csv && data.path() != null) errors.add(new SpecError("data.path", "only for csv data"));
        String generator = data.generator() == null ? "" : data.generator().toLowerCase();
        if ((generator.equals("xor") || generator.equals("spirals")) && data.features() != null && data.features() != 2)
            errors.add(new SpecError("data.features", "the " + generator + " generator produces exactly 2 features"));
        if (generator.equals("linear") && data.classes() != null)
            errors.add(new SpecError("data.classes", "not allowed for the linear (regression) generator"));
        if (model != null && !"cnn".equalsIgnoreCase(model.type()) && (model.filters() != null || model.kernelSize() != null))
            errors.add(new SpecError(model.filters() != null ? "model.filters" : "model.kernelSize", "only for model type cnn"));
        if (model != null && "linear".equalsIgnoreCase(model.type()) && model.hiddenLayers() != null
                && !model.hiddenLayers().isEmpty())
            errors.add(new SpecError("model.hiddenLayers", "must be empty for model type linear"));
        return errors;
    }
}
