import { startService } from '@glotixz/common/service';
import { ticketsService } from './service';

void startService(ticketsService, process.env);
