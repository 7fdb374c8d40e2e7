package org.mededge.appliance.studies;

import java.util.logging.Logger;

import org.mededge.appliance.engines.EngineSlot;
import org.mededge.appliance.models.InstalledModel;
import org.mededge.vision.BackendUnavailableException;
import org.mededge.vision.ImagingModel;
import org.mededge.vision.ModelSpec;
import org.mededge.vision.VisionEngine;
import org.mededge.vision.ort.OrtBackends;

/** The "vision" engine slot's engine: the imaging model, which tells readiness how it runs. */
public final class StudyEngine implements AutoCloseable, EngineSlot.Described {
    private static final Logger LOG = Logger.getLogger(StudyEngine.class.getName());
    private final ImagingModel model;

    public StudyEngine(ImagingModel model) {
        this.model = model;
    }

    /** The "vision" engine loader. */
    public static EngineSlot.Loader<StudyEngine> loader(VisionSettings settings) {
        return m -> load(m, settings);
    }

    /**
     * Creates DJL's ONNX Runtime engine, which must create the process's OrtEnvironment before any
     * other component (voice activity, language model) does, or it cannot start at all in this JVM.
     * {@code Appliance} calls it once, before any engine loads: the one place this rule is applied.
     */
    public static void createOrtEnvironmentFirst() {
        try {
            OrtBackends.engine();
        } catch (BackendUnavailableException | LinkageError e) {
            LOG.warning(e.getMessage());
        }
    }

    /** A verified installed model to a running imaging engine. */
    public static StudyEngine load(InstalledModel m, VisionSettings settings) {
        if (!"vision".equals(m.role())) {
            throw new IllegalArgumentException("model " + m.name() + " has role '" + m.role()
                    + "', not vision; set mededge.engines.vision.model to an imaging model");
        }
        ModelSpec spec = ModelSpec.from(m.spec(), m.dir(), m.mainSha256());
        return new StudyEngine(VisionEngine.open(spec, settings.engine()));
    }

    public ImagingModel model() {
        return model;
    }

    @Override
    public String describe() {
        return model.describe();
    }

    @Override
    public void close() {
        model.close();
    }
}
