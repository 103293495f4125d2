export { OnboardingResult } from './OnboardingResult';
export type { OnboardingResultProps } from './OnboardingResult';
