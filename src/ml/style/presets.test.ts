import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOSS_NETWORK,
  matchingPreset,
  presetPatchForNetworkChange,
  strengthOf,
  stylePreset,
  stylePresets,
  styleRatioOfStrength,
  weightsForStrength,
} from './presets';
import { DEFAULT_STYLE_SETTINGS, type StyleSettings } from './transfer';

const settings = (patch: Partial<StyleSettings> = {}): StyleSettings => ({ ...DEFAULT_STYLE_SETTINGS, ...patch });

describe('the Strength slider', () => {
  it('sets β/α one decade every 25 steps, equal weights at 50', () => {
    expect(styleRatioOfStrength(0)).toBeCloseTo(0.01, 12);
    expect(styleRatioOfStrength(25)).toBeCloseTo(0.1, 12);
    expect(styleRatioOfStrength(50)).toBe(1);
    expect(styleRatioOfStrength(75)).toBeCloseTo(10, 12);
    expect(styleRatioOfStrength(100)).toBeCloseTo(100, 12);
    // Out of range is clamped, never extrapolated.
    expect(styleRatioOfStrength(140)).toBeCloseTo(100, 12);
    expect(styleRatioOfStrength(-3)).toBeCloseTo(0.01, 12);
  });

  it('keeps α and rounds β to three significant digits', () => {
    expect(weightsForStrength(1, 75)).toEqual({ alpha: 1, beta: 10 });
    expect(weightsForStrength(2, 60)).toEqual({ alpha: 2, beta: 5.02 }); // 2·10^0.4 = 5.0238…
    expect(weightsForStrength(0, 50)).toEqual({ alpha: 1, beta: 1 });
  });

  it('reads back the strength that hand-set α and β amount to', () => {
    expect(strengthOf({ alpha: 1, beta: 10 })).toBeCloseTo(75, 12);
    expect(strengthOf({ alpha: 4, beta: 0.4 })).toBeCloseTo(25, 12);
    expect(strengthOf({ alpha: 1, beta: 1e6 })).toBe(100);
    expect(strengthOf({ alpha: 0, beta: 3 })).toBe(100);
    expect(strengthOf({ alpha: 1, beta: 0 })).toBe(0);
    for (const s of [0, 13, 50, 62.5, 88, 100]) {
      expect(strengthOf(weightsForStrength(1.5, s))).toBeCloseTo(s, 1);
    }
  });
});

describe('presets', () => {
  it('the default settings are Balanced on the default network', () => {
    expect(matchingPreset(settings(), DEFAULT_LOSS_NETWORK)).toBe('balanced');
  });

  it('go up in strength, and only Gentle keeps the photo’s colours', () => {
    for (const net of ['vgg19-random', 'resnet50', 'custom'] as const) {
      const [gentle, balanced, strong] = stylePresets(net);
      expect(gentle!.strength).toBeLessThan(balanced!.strength);
      expect(balanced!.strength).toBeLessThan(strong!.strength);
      expect(gentle!.patch.beta).toBeLessThan(balanced!.patch.beta);
      expect([gentle, balanced, strong].map((p) => p!.patch.preserveColors)).toEqual([true, false, false]);
      for (const p of [gentle!, balanced!, strong!]) expect(strengthOf(p.patch)).toBeCloseTo(p.strength, 1);
    }
    // ResNet-50's smoothed costs need more style weight for the same look.
    expect(stylePreset('resnet50', 'balanced').patch.beta).toBeGreaterThan(
      stylePreset('vgg19-random', 'balanced').patch.beta,
    );
  });

  it('recognises a preset once applied, and no preset after a hand change', () => {
    const strong = settings(stylePreset('vgg19-random', 'strong').patch);
    expect(matchingPreset(strong, 'vgg19-random')).toBe('strong');
    expect(matchingPreset({ ...strong, tvWeight: 0.2 }, 'vgg19-random')).toBeNull();
    expect(matchingPreset({ ...strong, beta: strong.beta * 1.01 }, 'vgg19-random')).toBeNull();
    expect(matchingPreset({ ...strong, init: 'noise' }, 'vgg19-random')).toBeNull();
    expect(matchingPreset({ ...strong, optimiser: 'adam' }, 'vgg19-random')).toBeNull();
  });

  it('take ResNet-50 with Adam and VGG-19 with L-BFGS, and the network change carries the method', () => {
    for (const p of stylePresets('resnet50')) expect(p.patch).toMatchObject({ optimiser: 'adam', learningRate: 0.02 });
    for (const p of stylePresets('vgg19-random')) expect(p.patch.optimiser).toBe('lbfgs');
    expect(presetPatchForNetworkChange(settings(), 'vgg19-random', 'resnet50').optimiser).toBe('adam');
    const back = settings(stylePreset('resnet50', 'gentle').patch);
    expect(presetPatchForNetworkChange(back, 'resnet50', 'vgg19-random').optimiser).toBe('lbfgs');
  });

  it('follow a change of network; settings changed by hand stay as they are', () => {
    const balanced = settings();
    expect(presetPatchForNetworkChange(balanced, 'vgg19-random', 'resnet50')).toEqual(
      stylePreset('resnet50', 'balanced').patch,
    );
    expect(presetPatchForNetworkChange(settings({ beta: 7 }), 'vgg19-random', 'resnet50')).toEqual({});
    expect(presetPatchForNetworkChange(balanced, 'vgg19-random', 'vgg19-random')).toEqual({});
  });
});
