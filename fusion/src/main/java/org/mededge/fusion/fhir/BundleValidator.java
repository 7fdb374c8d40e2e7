package org.mededge.fusion.fhir;

import java.util.List;

import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;

import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;

/**
 * HAPI's instance validator, offline: the R4 core definitions and profiles shipped in the jars,
 * in-memory terminology for the value sets they contain (UCUM, languages, HL7 code systems); no
 * terminology server, so LOINC, SNOMED CT and RadLex codes are checked for form and binding
 * patterns only. Building it and the first validation take seconds: {@link #warmUp()} once,
 * off the request path. Thread-safe.
 */
public final class BundleValidator {
    private static volatile BundleValidator instance;

    /** One validation message. */
    public record Issue(String severity, String location, String message) {
    }

    private final FhirValidator validator;

    private BundleValidator() {
        var ctx = Fhir.context();
        ValidationSupportChain chain = new ValidationSupportChain(
                new DefaultProfileValidationSupport(ctx),
                new CommonCodeSystemsTerminologyService(ctx),
                new InMemoryTerminologyServerValidationSupport(ctx),
                new SnapshotGeneratingValidationSupport(ctx));
        FhirInstanceValidator module = new FhirInstanceValidator(chain);
        module.setNoTerminologyChecks(false);
        validator = ctx.newValidator().registerValidatorModule(module);
    }

    /** The process's validator, built on first use. */
    public static BundleValidator get() {
        BundleValidator v = instance;
        if (v == null) {
            synchronized (BundleValidator.class) {
                v = instance;
                if (v == null) {
                    v = new BundleValidator();
                    instance = v;
                }
            }
        }
        return v;
    }

    /** Every message at information level or above. */
    public List<Issue> validate(IBaseResource resource) {
        ValidationResult r = validator.validateWithResult(resource);
        return r.getMessages().stream().map(BundleValidator::issue).toList();
    }

    /** Only the errors and fatal messages. */
    public List<Issue> errors(IBaseResource resource) {
        return validate(resource).stream().filter(i -> i.severity().equals("error") || i.severity().equals("fatal")).toList();
    }

    private static Issue issue(SingleValidationMessage m) {
        ResultSeverityEnum s = m.getSeverity();
        return new Issue(s == null ? "information" : s.getCode(), m.getLocationString(), m.getMessage());
    }

    /** Builds the validator and validates one small document so that later validations are fast; returns ms. */
    public static long warmUp() {
        long t0 = System.nanoTime();
        BundleValidator v = get();
        org.mededge.fusion.StructuredReport sample = WarmUpSample.report();
        v.validate(NoteBundle.build(sample, java.time.Instant.now()));
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
