export {
  AccessStatusPanel,
  AccessStatusSummary,
  AccessTimes,
  isAccessWarning,
} from './AccessStatusPanel';
export {
  accessProblemTitle,
  accessRemedy,
  explainAccessProblem,
  formatRelativeTime,
  formatTimeBoth,
} from './accessText';
export { StaleDataNotice } from './StaleDataNotice';
