package io.berth.core.scheduling;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static io.berth.core.scheduling.Jobs.aJob;
import static org.assertj.core.api.Assertions.assertThat;

class QuotaCheckTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # case                        | gpu limit | cpu limit | held gpu | held cpu | job GPUs | job cpu | expected
            no quota row                  | -         | -         | 99000    | 0        | 8        | 1000    | -
            fits exactly: 1000 + 1000     | 2000      | -         | 1000     | 0        | 1        | 1000    | -
            one GPU over: 1000 + 2000     | 2000      | -         | 1000     | 0        | 2        | 1000    | tenant q GPU quota: 1000 + 2000 milli-GPU > limit 2000
            CPU over: 3000 + 2000 > 4000  | -         | 4000      | 0        | 3000     | 0        | 2000    | tenant q CPU quota: 3000 + 2000 millicores > limit 4000
            GPU checked first             | 0         | 0         | 0        | 0        | 1        | 1000    | tenant q GPU quota: 0 + 1000 milli-GPU > limit 0
            """)
    void checksTheTenantsLimit(String name, Long gpuLimit, Long cpuLimit, long heldGpu, long heldCpu, int gpus,
                               long cpu, String expected) {
        Map<String, TenantQuota> quotas = gpuLimit == null && cpuLimit == null ? Map.of()
                : Map.of("q", new TenantQuota("q", gpuLimit, cpuLimit));
        QueuedJob job = aJob("j").tenant("q").gpus(gpus).cpu(cpu).build();
        assertThat(QuotaCheck.exceeded(quotas, job, new Usage(heldGpu, heldCpu))).isEqualTo(expected);
    }
}
