package io.berth.core.protocol;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The agent protocol is a leaf both the control plane and the agent use: plain records (the JDK, Bean Validation
 * annotations and the job spec's records only), and nothing else in scheduler-core depends on it (the engine knows no wire types).
 */
class ProtocolArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.berth.core");

    @Test
    void theProtocolUsesOnlyTheJdkAndValidationAnnotations() {
        classes().that().resideInAPackage("io.berth.core.protocol..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "jakarta.validation..",
                        "io.berth.core.protocol..", "io.berth.core.spec..")
                .check(CORE);
    }

    @Test
    void nothingElseInCoreDependsOnTheProtocol() {
        noClasses().that().resideOutsideOfPackage("io.berth.core.protocol..")
                .should().dependOnClassesThat().resideInAPackage("io.berth.core.protocol..")
                .check(CORE);
    }
}
