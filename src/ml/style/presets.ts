// Style Studio for people: three presets per loss network and one Strength slider, both mapped
// onto the cost weights of transfer.ts. No tfjs here (types only), so the store and its tests
// use these as plain functions.
//
// Strength s runs from 0 to 100 and sets the ratio of the style weight to the content weight on
// a log scale, one decade every 25 steps: β/α = 10^((s − 50) / 25). So s = 50 weighs photo and
// painting alike (β = α), s = 75 is β = 10·α (the studio's long-standing default) and s = 100 is
// β = 100·α. Moving the slider keeps α and sets β; α and β set by hand show as the strength they
// amount to. A log scale because what a person sees change is the ratio, over three decades.
import type { LossNetworkId } from './networks';
import type { StyleSettings } from './transfer';

/**
 * The loss network the Studio starts with, and `npm run stylize` without --lossnet: the one whose
 * results looked best at real sizes (docs/style.md). DEFAULT_STYLE_SETTINGS is its Balanced preset.
 */
export const DEFAULT_LOSS_NETWORK: LossNetworkId = 'vgg19-random';

export const STRENGTH_MIN = 0;
export const STRENGTH_MAX = 100;

export type StylePresetId = 'gentle' | 'balanced' | 'strong';

export interface StylePreset {
  id: StylePresetId;
  label: string;
  /** One line for a person: what the preset does to the picture. */
  description: string;
  strength: number;
  /** The settings the preset sets; everything else stays as it is. */
  patch: Pick<StyleSettings, 'alpha' | 'beta' | 'tvWeight' | 'preserveColors' | 'init' | 'optimiser' | 'learningRate'>;
}

const clampStrength = (s: number) => Math.min(STRENGTH_MAX, Math.max(STRENGTH_MIN, s));

/** β/α for a strength: 10^((s − 50)/25), s clamped to 0..100. */
export function styleRatioOfStrength(strength: number): number {
  return 10 ** ((clampStrength(strength) - 50) / 25);
}

/** The strength that α and β amount to, clamped to 0..100 (no style: 0; no content: 100). */
export function strengthOf({ alpha, beta }: Pick<StyleSettings, 'alpha' | 'beta'>): number {
  if (!(beta > 0)) return STRENGTH_MIN;
  if (!(alpha > 0)) return STRENGTH_MAX;
  return clampStrength(50 + 25 * Math.log10(beta / alpha));
}

/** α and β for a strength: α kept (1 when it was zero), β = α·ratio to three significant digits. */
export function weightsForStrength(alpha: number, strength: number): Pick<StyleSettings, 'alpha' | 'beta'> {
  const a = alpha > 0 ? alpha : 1;
  return { alpha: a, beta: Number((a * styleRatioOfStrength(strength)).toPrecision(3)) };
}

/**
 * Each network's presets: their strengths and the method. VGG-19 with random weights takes the
 * paintings' texture strongly, so Gentle sits at β = α and keeps the photo's colours. ResNet-50
 * takes steps with Adam: L-BFGS found tiny changes of the pixels that lowered its costs (J fell
 * by a third) while the picture stayed the photo; Adam's fixed step of 0.02 per pixel brings in
 * the painting's strokes (docs/style.md). A custom model is unknown: VGG's values.
 */
const NETWORK_PRESETS: Record<
  LossNetworkId,
  { strengths: Record<StylePresetId, number> } & Pick<StyleSettings, 'optimiser' | 'learningRate'>
> = {
  'vgg19-random': { strengths: { gentle: 50, balanced: 75, strong: 90 }, optimiser: 'lbfgs', learningRate: 0.02 },
  resnet50: { strengths: { gentle: 75, balanced: 87.5, strong: 100 }, optimiser: 'adam', learningRate: 0.02 },
  custom: { strengths: { gentle: 50, balanced: 75, strong: 90 }, optimiser: 'lbfgs', learningRate: 0.02 },
};

const PRESET_TEXT: Record<StylePresetId, { label: string; description: string; preserveColors: boolean }> = {
  gentle: {
    label: 'Gentle',
    description: 'A light touch of the painting; your photo keeps its colours.',
    preserveColors: true,
  },
  balanced: {
    label: 'Balanced',
    description: 'The painting’s colours and strokes over a face you still recognise.',
    preserveColors: false,
  },
  strong: {
    label: 'Strong',
    description: 'Mostly painting: strokes and colours take over the photo.',
    preserveColors: false,
  },
};

export const STYLE_PRESET_IDS: readonly StylePresetId[] = ['gentle', 'balanced', 'strong'];

/** The presets for a loss network, in the order shown. */
export function stylePresets(network: LossNetworkId): StylePreset[] {
  return STYLE_PRESET_IDS.map((id) => {
    const { strengths, optimiser, learningRate } = NETWORK_PRESETS[network];
    const strength = strengths[id];
    const text = PRESET_TEXT[id];
    return {
      id,
      label: text.label,
      description: text.description,
      strength,
      patch: {
        ...weightsForStrength(1, strength),
        tvWeight: 0.1,
        preserveColors: text.preserveColors,
        init: 'content',
        optimiser,
        learningRate,
      },
    };
  });
}

export function stylePreset(network: LossNetworkId, id: StylePresetId): StylePreset {
  return stylePresets(network).find((p) => p.id === id)!;
}

const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/** The preset the settings are at for this network, or null when some value was changed by hand. */
export function matchingPreset(settings: StyleSettings, network: LossNetworkId): StylePresetId | null {
  for (const p of stylePresets(network)) {
    const q = p.patch;
    if (
      near(settings.alpha, q.alpha) &&
      near(settings.beta, q.beta) &&
      near(settings.tvWeight, q.tvWeight) &&
      settings.preserveColors === q.preserveColors &&
      settings.init === q.init &&
      settings.optimiser === q.optimiser &&
      near(settings.learningRate, q.learningRate)
    ) {
      return p.id;
    }
  }
  return null;
}

/**
 * What changes when the loss network changes: settings at one of the old network's presets
 * move to the same preset of the new one (its own strength); settings changed by hand stay.
 */
export function presetPatchForNetworkChange(
  settings: StyleSettings,
  from: LossNetworkId,
  to: LossNetworkId,
): Partial<StyleSettings> {
  const at = matchingPreset(settings, from);
  return at && from !== to ? stylePreset(to, at).patch : {};
}
