import { describe, expect, it } from 'vitest';
import { stylePreset } from '../ml/style/presets';
import { bitmap, closed, setup, tick, withInputs } from './style-fakes.testing';
import { selectPreset, selectRemaining, selectStrength } from './style-types';

// Style for people: presets, the Strength slider, the first picture at Start and the time left.
describe('style store for people', () => {
  it('applies presets for the chosen network and moves the slider with them', () => {
    const { store } = setup();
    const s = () => store.getState();
    expect(selectPreset(s())).toBe('balanced');
    expect(selectStrength(s())).toBeCloseTo(75, 9);
    s().applyPreset('gentle');
    expect(s().settings).toMatchObject({ alpha: 1, beta: 1, preserveColors: true });
    expect(selectPreset(s())).toBe('gentle');
    expect(selectStrength(s())).toBeCloseTo(50, 9);
    // The slider keeps α, sets β, and the settings are then nobody's preset.
    s().setSettings({ alpha: 2 });
    s().setStrength(75);
    expect(s().settings).toMatchObject({ alpha: 2, beta: 20 });
    expect(selectPreset(s())).toBeNull();
    s().resetSettings();
    expect(selectPreset(s())).toBe('balanced');
  });

  it("moves a preset to the new network's own values, and leaves hand-set weights alone", async () => {
    const { store } = setup();
    const s = () => store.getState();
    s().applyPreset('strong');
    await s().chooseNetwork('resnet50');
    expect(selectPreset(s())).toBe('strong');
    expect(s().settings.beta).toBe(stylePreset('resnet50', 'strong').patch.beta);
    s().setSettings({ beta: 3 });
    s().selectNetwork('custom');
    expect(s().settings.beta).toBe(3);
  });

  it('clears the last picture at Start, so the page shows the starting point at once', async () => {
    const { store, session } = setup();
    await withInputs(store);
    const first = store.getState().start();
    await tick();
    const old = bitmap();
    session.runs[0]!.callbacks.onPreview!(old);
    session.runs[0]!.finish({});
    await first;
    const shown = store.getState().preview;
    void store.getState().start();
    expect(store.getState().preview).toBeNull();
    expect(closed(shown)).toBe(true);
    await tick();
    session.runs[1]!.finish({});
  });

  it('estimates the time left from the first iteration on', async () => {
    const { store, session } = setup();
    await withInputs(store);
    store.getState().setSettings({ iterations: 11 });
    void store.getState().start();
    await tick();
    expect(selectRemaining(store.getState())).toBeNull();
    const stage = { index: 0, count: 1, width: 16, height: 12 };
    session.runs[0]!.callbacks.onIteration!([1, 10, 4, 5, 1, 12_000, 2, 3], stage);
    expect(selectRemaining(store.getState())).toBe('about 2 min left');
    session.runs[0]!.callbacks.onIteration!([2, 9, 4, 4, 1, 3_000, 2, 2], stage);
    expect(selectRemaining(store.getState())).toBe('about 25 s left');
    session.runs[0]!.finish({});
  });
});
