import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';

/**
 * Chart.js with the parts a stacked bar chart needs, in a chunk of its own: the page loads it
 * once the first rows are on screen, so the timeline does not wait for the chart's code.
 */
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export { Chart };
