import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormHelperText from '@material-ui/core/FormHelperText';
import IconButton from '@material-ui/core/IconButton';
import InputAdornment from '@material-ui/core/InputAdornment';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import DeleteIcon from '@material-ui/icons/Delete';
import { ThresholdDraft } from './budgetDraft';

/** The editable list of a budget's thresholds: a type and a percentage each. */
export function ThresholdsField(props: {
  thresholds: ThresholdDraft[];
  onChange: (thresholds: ThresholdDraft[]) => void;
  error?: string;
}) {
  const { thresholds, onChange, error } = props;
  const change = (index: number, threshold: Partial<ThresholdDraft>) =>
    onChange(
      thresholds.map((t, i) => (i === index ? { ...t, ...threshold } : t)),
    );
  return (
    <Box component="fieldset" border={0} p={0} m={0} mt={2}>
      <Typography component="legend" variant="subtitle2">
        Thresholds
      </Typography>
      <Typography variant="caption" color="textSecondary" component="p">
        The owners are notified once per period when actual spend, or the
        forecast for the whole period, reaches a percentage of the amount.
      </Typography>
      {thresholds.map((threshold, index) => {
        const n = index + 1;
        return (
          <Box key={index} display="flex" alignItems="center" gridGap={8}>
            <TextField
              id={`budget-threshold-${n}-type`}
              select
              label={`Threshold ${n} type`}
              value={threshold.type}
              onChange={e =>
                change(index, {
                  type: e.target.value as ThresholdDraft['type'],
                })
              }
              SelectProps={{ native: true }}
              margin="dense"
            >
              <option value="actual">Actual</option>
              <option value="forecast">Forecast</option>
            </TextField>
            <TextField
              id={`budget-threshold-${n}-percent`}
              label={`Threshold ${n} percent`}
              type="number"
              value={threshold.percent}
              onChange={e => change(index, { percent: e.target.value })}
              inputProps={{ min: 0, max: 1000, step: 'any' }}
              InputProps={{
                endAdornment: <InputAdornment position="end">%</InputAdornment>,
              }}
              margin="dense"
            />
            <IconButton
              aria-label={`Remove threshold ${n}`}
              size="small"
              onClick={() => onChange(thresholds.filter((_, i) => i !== index))}
            >
              <DeleteIcon fontSize="small" />
            </IconButton>
          </Box>
        );
      })}
      {error && <FormHelperText error>{error}</FormHelperText>}
      <Button
        size="small"
        onClick={() =>
          onChange([...thresholds, { type: 'actual', percent: '' }])
        }
      >
        Add threshold
      </Button>
    </Box>
  );
}
