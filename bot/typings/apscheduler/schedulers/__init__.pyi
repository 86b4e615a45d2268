# Types for the part of APScheduler 3 that Klantstem uses (it ships none).
