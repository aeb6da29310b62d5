package io.berth.core;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * scheduler-core stays plain Java (no Spring, JPA, servlet, HTTP, JDBC or JSON code, nothing of the other modules),
 * and plugins stay free of I/O and clocks (they must be replayable). */
class PlacementArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.berth.core");

    @Test
    void noFrameworks() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                "org.springframework..", "jakarta.persistence..", "javax.persistence..", "org.hibernate..",
                "jakarta.servlet..", "java.net.http..", "java.sql..", "javax.sql..", "tools.jackson..",
                "io.berth.api..", "io.berth.agent..").check(CORE);
    }

    /**
     * No JSON machinery either: the job spec's records (io.berth.core.spec) may carry Jackson's annotations, which
     * have no code, and nothing else in core may.
     */
    @Test
    void jacksonAnnotationsOnlyOnTheJobSpec() {
        noClasses().that().resideOutsideOfPackage("io.berth.core.spec..")
                .should().dependOnClassesThat().resideInAnyPackage("com.fasterxml.jackson..").check(CORE);
        noClasses().should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("com.fasterxml.jackson..")
                        .and(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage("com.fasterxml.jackson.annotation.."))))
                .check(CORE);
    }

    @Test
    void placementDoesNoIoAndReadsNoClock() {
        noClasses().that().resideInAnyPackage("io.berth.core.placement..")
                .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio..", "java.net..", "java.time..")
                .check(CORE);
    }

    /** The scheduling cycle takes its time from its input, so the simulator can run it on simulated time. */
    @Test
    void schedulingCycleReadsNoClockAndDoesNoIo() {
        noClasses().that().resideInAnyPackage("io.berth.core.scheduling..")
                .should().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio..", "java.net..",
                        "io.berth.core.replay..")
                .check(CORE);
    }

    /** The power saving policy takes its time from its input too: the trace simulator runs it on simulated time. */
    @Test
    void powerPolicyReadsNoClockAndDoesNoIo() {
        noClasses().that().resideInAnyPackage("io.berth.core.power..")
                .should().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio..", "java.net..",
                        "io.berth.core.replay..")
                .check(CORE);
    }

    /** Plugins see the working state as a read-only PlacementView: only the engine reserves and releases. */
    @Test
    void pluginsCannotChangeTheState() {
        noClasses().that().resideInAnyPackage("io.berth.core.placement.plugins..")
                .should().dependOnClassesThat().areAssignableTo(io.berth.core.placement.PlacementState.class)
                .check(CORE);
    }

    @Test
    void engineDoesNotDependOnTheReplay() {
        noClasses().that().resideInAnyPackage("io.berth.core.placement..")
                .should().dependOnClassesThat().resideInAnyPackage("io.berth.core.replay..").check(CORE);
    }
}
