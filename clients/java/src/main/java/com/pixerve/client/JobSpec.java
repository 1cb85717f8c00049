package com.pixerve.client;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A token's {@code job} claim (docs/http-api.md, "The job claim"), built in the caller's order. Pixerve produces
 * formats in the order the claim writes them, so the order of {@code expected_files} and {@code outputs} is the order
 * of the {@link #format} calls here; a {@code Map.of} claim would give them in an arbitrary order.
 * <pre>{@code JobSpec.create().format("jpg", 1600, 1200).format("webp", 800).directHost(true).subDir("u42")}</pre>
 */
public final class JobSpec {
    private final Map<String, Object> claim = new LinkedHashMap<>();
    private final Map<String, Object> formats = new LinkedHashMap<>();

    private JobSpec() { claim.put("formats", formats); }

    public static JobSpec create() { return new JobSpec(); }

    /** One size of {@code format}: {@code (400)} is the box 400×400, {@code (1600, 1200)} width × height. Call again for more sizes. */
    public JobSpec format(String format, int... box) {
        var list = new ArrayList<Object>();
        for (var side : box) list.add(side);
        return size(format, list);
    }

    /**
     * {@code format} with its {@code settings} (quality, fit, gravity, …; may be null) and {@code sizes}, each a
     * {@code List.of(w, h)}, {@code List.of(side)} or {@code Map.of("box", List.of(w, h), "fit", "cover")}.
     */
    public JobSpec format(String format, Map<String, Object> settings, Object... sizes) {
        var entry = entry(format);
        if (settings != null) entry.put("settings", settings);
        for (var size : sizes) sizes(entry).add(size);
        return this;
    }

    /** A byte-exact copy of the upload among the outputs. */
    public JobSpec keepOriginal(boolean keep) { return set("keepOriginal", keep); }
    public JobSpec directHost(boolean direct) { return set("directHost", direct); }
    public JobSpec subDir(String subDir) { return set("subDir", subDir); }
    public JobSpec completionCallback(String url) { return set("completionCallback", url); }
    public JobSpec priority(int priority) { return set("priority", priority); }

    /** Any other member of the claim ({@code callbackHeaders}, {@code storage}, …), as Maps, Lists and scalars. */
    public JobSpec set(String key, Object value) {
        if (key.equals("formats")) throw new IllegalArgumentException("formats are added with format(...)");
        claim.put(key, value);
        return this;
    }

    /** The claim as JSON-ready Maps and Lists, in the order written. */
    public Map<String, Object> toMap() { return claim; }

    /** The output format keys in the order they were added. */
    public List<String> formatNames() { return List.copyOf(formats.keySet()); }

    @Override
    public String toString() { return Json.write(claim); }

    private JobSpec size(String format, List<Object> box) {
        if (box.isEmpty() || box.size() > 2) throw new IllegalArgumentException("a size is (side) or (width, height), not " + Arrays.toString(box.toArray()));
        sizes(entry(format)).add(box);
        return this;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> entry(String format) { return (Map<String, Object>) formats.computeIfAbsent(format, f -> new LinkedHashMap<String, Object>()); }

    @SuppressWarnings("unchecked")
    private static List<Object> sizes(Map<String, Object> entry) { return (List<Object>) entry.computeIfAbsent("sizes", s -> new ArrayList<Object>()); }
}
